"""The demo shop's bulk rows (``chatshop seed --demo``): opening stock with its ledger, and customers with
90 days of past orders, payments, refunds and analytics events, written with Core in one transaction each.

The catalog itself goes through the real commands (chatshop/seed.py); only what would take thousands of
commands is written here, shaped exactly as live checkouts leave it.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.payments import sandbox
from domain.adapters.payments.sandbox import SandboxPaymentProvider
from domain.model.customers import Channel
from domain.model.payments import PaymentStatus, RefundStatus
from domain.ports import Clock

COUNTRIES = ["US"] * 10 + ["CN"] * 4 + ["CA", "GB", "DE", "FR", "AU", "SG"]
FIRST = [
    "Ann",
    "Bob",
    "Chen",
    "Dana",
    "Eli",
    "Fatima",
    "Gus",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Mei",
    "Noah",
    "Olga",
    "Priya",
    "Quinn",
    "Rui",
    "Sara",
    "Tom",
    "Uma",
    "Wei",
    "Xin",
    "Yusuf",
    "Zoe",
]
REFUND_REASONS = ["changed their mind", "arrived damaged", "wrong size", "ordered twice", "late delivery"]
LAST = ["Smith", "Li", "Garcia", "Wang", "Brown", "Zhang", "Müller", "Martin", "Chen", "Okafor", "Kim", "Liu"]


@dataclass
class DemoHistory:
    """Writes the demo's bulk rows; the catalog (products, warehouses) must exist first."""

    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    sandbox: SandboxPaymentProvider
    currency: str
    reservation_minutes: int
    base_url: str

    async def count(self, table: str) -> int:
        """Rows in one of the shop's tables (``"products"``, ``"customers"``…)."""
        async with self.sessions() as session:
            stmt = select(func.count()).select_from(orm.metadata.tables[table])
            return int((await session.execute(stmt)).scalar_one())

    async def add_opening_stock(self) -> None:
        await _bulk_stock(self)

    async def add_history(self, n_customers: int, n_orders: int) -> None:
        await _bulk_history(self, n_customers, n_orders)


async def _bulk_stock(shop: DemoHistory) -> None:
    rng = random.Random(7)
    now = shop.clock.now()
    async with shop.sessions() as session, session.begin():
        variants = (await session.execute(select(orm.variants.c.id))).scalars().all()
        warehouses = (await session.execute(select(orm.warehouses.c.id, orm.warehouses.c.code))).all()
        levels, movements = [], []
        for vid in variants:
            for wid, code in warehouses:
                qty = rng.choice([0, 3, 8, 15, 25, 40]) if code == "EAST" else rng.choice([0, 5, 10, 20, 60])
                levels.append({"variant_id": vid, "warehouse_id": wid, "on_hand": qty, "reserved": 0, "allocated": 0})
                if qty:
                    movements.append(
                        {
                            "variant_id": vid,
                            "warehouse_id": wid,
                            "kind": "receive",
                            "d_on_hand": qty,
                            "d_reserved": 0,
                            "d_allocated": 0,
                            "reason": "opening stock",
                            "actor": "seed",
                            "created_at": now,
                        }
                    )
        await session.execute(insert(orm.stock_levels), levels)
        await session.execute(insert(orm.stock_movements), movements)


async def _bulk_history(shop: DemoHistory, n_customers: int, n_orders: int) -> None:
    """Customers and past orders spread over 90 days, with the analytics events a funnel needs.

    History is a sales record: it does not move today's stock (the opening stock above is what's left).
    """
    rng = random.Random(11)
    now = shop.clock.now()
    currency = shop.currency
    async with shop.sessions() as session, session.begin():
        variants = (
            await session.execute(
                select(
                    orm.variants.c.id,
                    orm.variants.c.sku,
                    orm.variants.c.price,
                    orm.variants.c.product_id,
                    orm.products.c.name,
                ).join(orm.products, orm.products.c.id == orm.variants.c.product_id)
            )
        ).all()
        # A few products sell a lot more than the rest, as in every shop.
        weights = [rng.paretovariate(1.3) for _ in variants]
        customer_rows: list[dict[str, Any]] = []
        for i in range(n_customers):
            country = rng.choice(COUNTRIES)
            zh = country in ("CN", "SG") and rng.random() < 0.8
            created = now - timedelta(days=rng.uniform(1, 120))
            customer_rows.append(
                {
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "locale": "zh" if zh else "en",
                    "country": country,
                    "email": f"customer{i}@example.com",
                    "timezone": "Asia/Shanghai" if country == "CN" else "UTC",
                    "tags": rng.sample(["vip", "wholesale", "newsletter", "returning"], rng.choice([0, 0, 1, 2])),
                    "notes": "",
                    "addresses": [],
                    "marketing_opt_in": rng.random() < 0.6,
                    "unreachable_channels": [],
                    "created_at": created,
                }
            )
        ids = (
            (
                await session.execute(
                    insert(orm.customers).returning(orm.customers.c.id, sort_by_parameter_order=True), customer_rows
                )
            )
            .scalars()
            .all()
        )
        identities: list[dict[str, Any]] = []
        consents: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for cid, row in zip(ids, customer_rows, strict=True):
            channel = rng.choice([Channel.TELEGRAM, Channel.TELEGRAM, Channel.WEBCHAT])
            identities.append(
                {
                    "customer_id": cid,
                    "channel": channel.value,
                    "external_id": f"demo-{channel}-{cid}",
                    "created_at": row["created_at"],
                }
            )
            consents.append(
                {
                    "customer_id": cid,
                    "purpose": "marketing",
                    "granted": row["marketing_opt_in"],
                    "source": "demo signup",
                    "created_at": row["created_at"],
                }
            )
        await session.execute(insert(orm.channel_identities), identities)
        await session.execute(insert(orm.consent_entries), consents)
        channel_of = {i["customer_id"]: i["channel"] for i in identities}
        order_rows: list[dict[str, Any]] = []
        order_lines: list[list[dict[str, Any]]] = []
        buyers = ids[: max(1, len(ids) * 2 // 5)]  # most visitors never buy; the funnel should show it
        for _ in range(n_orders):
            cid = rng.choice(buyers)
            placed = now - timedelta(days=rng.uniform(0, 90) ** 1.02 % 90, minutes=rng.uniform(0, 600))
            picks = rng.choices(range(len(variants)), weights=weights, k=rng.choice([1, 1, 1, 2, 2, 3]))
            lines = []
            for idx in dict.fromkeys(picks):
                v = variants[idx]
                lines.append(
                    {
                        "variant_id": v.id,
                        "product_id": v.product_id,
                        "sku": v.sku,
                        "name": v.name,
                        "unit_price": v.price,
                        "quantity": rng.choice([1, 1, 1, 2]),
                        "discount": 0,
                    }
                )
            subtotal = sum(li["unit_price"] * li["quantity"] for li in lines)
            shipping = 0 if subtotal >= 7500 else 599
            roll = rng.random()
            status = (
                "cancelled"
                if roll < 0.07
                else "refunded"
                if roll < 0.10
                else "returned"
                if roll < 0.12
                else "delivered"
                if placed < now - timedelta(days=6)
                else rng.choice(["paid", "picking", "packed", "shipped"])
            )
            paid = status != "cancelled"
            total = subtotal + shipping
            order_rows.append(
                {
                    "customer_id": cid,
                    "channel": channel_of[cid],
                    "currency": currency,
                    "status": status,
                    "coupon_code": None,
                    "shipping_method": "standard",
                    "shipping_address": {"country": next(r["country"] for r in customer_rows[ids.index(cid) :][:1])},
                    "subtotal": subtotal,
                    "discount": 0,
                    "shipping": shipping,
                    "tax_rate_bp": 0,
                    "tax": 0,
                    "total": total,
                    "captured": total if paid else 0,
                    "refunded": total if status == "refunded" else 0,
                    "placed_at": placed,
                    "paid_at": placed + timedelta(minutes=3) if paid else None,
                    "updated_at": placed,
                    "reservation_expires_at": None,
                    "approval_reasons": [],
                    "cancel_reason": "payment link expired" if status == "cancelled" else None,
                    "carrier": "UPS" if status in ("shipped", "delivered", "returned") else None,
                    "tracking_number": f"1Z{rng.randrange(10**9):09d}" if status in ("shipped", "delivered") else None,
                }
            )
            order_lines.append(lines)
        order_ids = (
            (
                await session.execute(
                    insert(orm.orders).returning(orm.orders.c.id, sort_by_parameter_order=True), order_rows
                )
            )
            .scalars()
            .all()
        )
        flat_lines = [li | {"order_id": oid} for oid, lines in zip(order_ids, order_lines, strict=True) for li in lines]
        await session.execute(insert(orm.order_lines), flat_lines)
        await _bulk_money(session, shop, order_ids, order_rows, order_lines)
        for oid, row, lines in zip(order_ids, order_rows, order_lines, strict=True):
            t = row["placed_at"]
            base: dict[str, Any] = {"customer_id": row["customer_id"], "channel": row["channel"], "properties": {}}
            steps = [
                ("message_received", -20, None, None),
                ("product_viewed", -15, lines[0]["product_id"], None),
                ("added_to_cart", -10, lines[0]["product_id"], None),
                ("checkout_started", -5, None, None),
                ("order_placed", 0, None, oid),
            ]
            if row["paid_at"]:
                steps.append(("order_paid", 3, None, oid))
            for name, minutes, product_id, order_id in steps:
                events.append(
                    base
                    | {
                        "name": name,
                        "occurred_at": t + timedelta(minutes=minutes),
                        "product_id": product_id,
                        "order_id": order_id,
                        "value": row["total"] if order_id else None,
                    }
                )
        for _ in range(n_customers * 2):  # browsing that did not end in an order
            cid = rng.choice(ids)
            t = now - timedelta(days=rng.uniform(0, 90))
            v = variants[rng.randrange(len(variants))]
            base = {"customer_id": cid, "channel": channel_of[cid], "properties": {}, "order_id": None, "value": None}
            events.append(base | {"name": "message_received", "occurred_at": t, "product_id": None})
            if rng.random() < 0.6:
                events.append(base | {"name": "product_viewed", "occurred_at": t, "product_id": v.product_id})
            if rng.random() < 0.15:
                events.append(base | {"name": "added_to_cart", "occurred_at": t, "product_id": v.product_id})
        await session.execute(insert(orm.analytics_events), events)


async def _bulk_money(
    session: AsyncSession,
    shop: DemoHistory,
    order_ids: Sequence[int],
    order_rows: list[dict[str, Any]],
    order_lines: list[list[dict[str, Any]]],
) -> None:
    """Each past order's payment through the sandbox, as a live checkout leaves it, and its refund if any.

    Paid orders: a succeeded payment and a "paid" sandbox session (what the sandbox's refund checks);
    orders whose link expired: an expired payment; refunded orders: a succeeded refund booked at the
    sandbox under the key ``process_refund`` uses, so the sandbox and the shop agree on what went back.
    """
    rng = random.Random(13)  # its own, so the rest of the history stays as it was
    now = shop.clock.now()
    hold = timedelta(minutes=shop.reservation_minutes)
    base = shop.base_url
    payments, sessions = [], []
    for oid, row, lines in zip(order_ids, order_rows, order_lines, strict=True):
        session_id = "sbcs_" + secrets.token_urlsafe(18)  # the shape the sandbox gives its sessions
        placed, paid_at, total = row["placed_at"], row["paid_at"], row["total"]
        sessions.append(
            {
                "id": session_id,
                "order_id": oid,
                "amount": total,
                "currency": row["currency"],
                "lines": [
                    {"name": li["name"], "quantity": li["quantity"], "unit_amount": li["unit_price"]} for li in lines
                ],
                "status": "paid" if paid_at else "expired",
                "idempotency_key": f"order-{oid}-session",
                "expires_at": placed + hold,
                "success_url": f"{base}/orders/{oid}/paid",
                "cancel_url": f"{base}/orders/{oid}/cancelled",
                "refunded": row["refunded"],
                "created_at": placed,
            }
        )
        payments.append(
            {
                "order_id": oid,
                "provider": sandbox.NAME,
                "amount": total,
                "currency": row["currency"],
                "status": (PaymentStatus.SUCCEEDED if paid_at else PaymentStatus.EXPIRED).value,
                "session_id": session_id,
                "url": shop.sandbox.url_for(session_id),
                "provider_payment_id": session_id if paid_at else None,  # the sandbox's charge id is the session's
                "failure_reason": None if paid_at else "payment link expired",
                "created_at": placed,
                "expires_at": placed + hold,
                "completed_at": paid_at or placed + hold,
            }
        )
    # Plain executemany, then the few ids needed read back: RETURNING in parameter order costs one
    # statement per row on SQLite (0.7 s of CPU instead of 0.2 s for 4,000 orders).
    await session.execute(insert(orm.sandbox_sessions), sessions)
    await session.execute(insert(orm.payments), payments)
    refunded = {oid: row for oid, row in zip(order_ids, order_rows, strict=True) if row["refunded"]}
    if not refunded:
        return
    Pay = orm.payments.c
    paid = (
        await session.execute(
            select(Pay.id, Pay.order_id, Pay.session_id).where(Pay.order_id.in_(list(refunded))).order_by(Pay.id)
        )
    ).all()
    refunds = []
    for payment_id, oid, _ in paid:
        row = refunded[oid]
        at = min(now, row["paid_at"] + timedelta(hours=rng.uniform(2, 72)))
        refunds.append(
            {
                "order_id": oid,
                "payment_id": payment_id,
                "amount": row["refunded"],
                "currency": row["currency"],
                "reason": rng.choice(REFUND_REASONS),
                "actor": "Shop Owner",
                "status": RefundStatus.SUCCEEDED.value,
                "provider_refund_id": "sbre_" + secrets.token_urlsafe(12),
                "failure_reason": None,
                "request_key": None,
                "created_at": at,
                "completed_at": at,
            }
        )
    await session.execute(insert(orm.refunds), refunds)
    Ref = orm.refunds.c
    booked = (await session.execute(select(Ref.id, Ref.payment_id).where(Ref.order_id.in_(list(refunded))))).all()
    session_of = {payment_id: session_id for payment_id, _, session_id in paid}
    refund_of = {r["payment_id"]: r for r in refunds}
    await session.execute(
        insert(orm.sandbox_refunds),
        [
            {
                # The key process_refund sends, so the sandbox knows these refunds as the shop's own.
                "idempotency_key": f"refund-{refund_id}",
                "id": refund_of[payment_id]["provider_refund_id"],
                "session_id": session_of[payment_id],
                "amount": refund_of[payment_id]["amount"],
                "created_at": refund_of[payment_id]["created_at"],
            }
            for refund_id, payment_id in booked
        ],
    )
