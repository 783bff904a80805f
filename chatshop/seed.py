"""``chatshop seed --demo``: a realistic shop with catalog, stock, customers and 90 days of history.

The catalog goes through the real commands (so it is validated like any import); stock and history are
written in bulk inside one transaction each, with a ledger row for every stock level, so the demo's
stock is explainable like a real shop's. Past orders carry the money rows a live order would have: a
sandbox payment (and its sandbox session, so the sandbox provider can refund it) and, for refunded
orders, the refund. Running it again changes nothing.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.progress import Progress
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from chatshop.bootstrap import Shop
from chatshop.demo_catalog import demo_products
from chatshop.images import product_image
from domain import commands as c
from domain.adapters import orm
from domain.adapters.payments import sandbox
from domain.adapters.rollups import backfill
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.model.customers import Channel
from domain.model.payments import PaymentStatus, RefundStatus
from domain.model.staff import Role

MEDIA = Path("var") / "media"
WAREHOUSES = [("EAST", "East Coast DC", 1, "US"), ("WEST", "West Coast DC", 2, "US")]
COUPONS = [
    c.CreateCoupon("WELCOME10", "percent", 1000, description="10% off your first order", actor=c.SYSTEM),
    c.CreateCoupon(
        "SUMMER20",
        "percent",
        2000,
        min_subtotal=5000,
        per_customer_limit=None,
        description="20% off orders over 50.00",
        actor=c.SYSTEM,
    ),
    c.CreateCoupon(
        "FREESHIP",
        "free_shipping",
        0,
        min_subtotal=2500,
        per_customer_limit=None,
        description="free shipping over 25.00",
        actor=c.SYSTEM,
    ),
    c.CreateCoupon(
        "TENOFF",
        "fixed",
        1000,
        min_subtotal=6000,
        usage_limit=500,
        per_customer_limit=None,
        description="10.00 off orders over 60.00",
        actor=c.SYSTEM,
    ),
    c.CreateCoupon(
        "SHOES15",
        "percent",
        1500,
        category_slugs=("shoes",),
        per_customer_limit=None,
        description="15% off shoes",
        actor=c.SYSTEM,
    ),
]
SHIPPING = [
    c.CreateShippingMethod("standard", "Standard", 599, free_over=7500, min_days=3, max_days=5, actor=c.SYSTEM),
    c.CreateShippingMethod(
        "express",
        "Express",
        1499,
        countries=("US", "CA", "GB", "DE", "FR", "CN"),
        min_days=1,
        max_days=2,
        actor=c.SYSTEM,
    ),
    c.CreateShippingMethod("pickup", "Pick up in store", 0, countries=("US",), min_days=0, max_days=1, actor=c.SYSTEM),
]
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


OWNER = "Shop Owner"


@dataclass
class SeedSummary:
    products: int
    variants: int
    customers: int
    orders: int
    # The demo owner's console password when this run made the owner; a run that finds them changes nothing.
    owner_password: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        text = (
            f"demo shop: {self.products} products, {self.variants} variants, "
            f"{self.customers} customers, {self.orders} past orders"
        )
        if self.owner_password:
            text += (
                f"\nstaff console at /admin: name {OWNER}, password {self.owner_password} "
                f'(shown once; `chatshop staff passwd "{OWNER}"` changes it)'
            )
        return text


async def _count(shop: Shop, table: object) -> int:
    async with shop.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def shop_is_empty(shop: Shop) -> bool:
    return await _count(shop, orm.products) == 0


def ensure_demo_images() -> int:
    """Draw any missing demo product pictures (e.g. after ``var/media`` was cleaned); returns how many exist."""
    products = demo_products()
    for p in products:
        product_image(MEDIA / "products" / f"{p.slug}.png", p.name, p.category_path[-1], p.colors[0])
    return len(products)


async def seed_demo(shop: Shop, progress: bool = False, customers: int = 300, orders: int = 4000) -> SeedSummary:
    bus = shop.bus
    for code, name, priority, country in WAREHOUSES:
        await bus.handle(c.CreateWarehouse(code, name, priority, country, actor=c.SYSTEM))
    products = demo_products()
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("catalog", total=len(products))
        for p in products:
            image = product_image(MEDIA / "products" / f"{p.slug}.png", p.name, p.category_path[-1], p.colors[0])
            await bus.handle(
                c.UpsertProduct(
                    p.name,
                    tuple(c.VariantSpec(v.sku, v.price, v.options) for v in p.variants),
                    p.category_path,
                    slug=p.slug,
                    description=p.description,
                    brand=p.brand,
                    attributes=p.attributes,
                    images=(f"/media/products/{image.name}",),
                    translations=p.translations,
                    category_translations=p.category_translations,
                    actor=c.SYSTEM,
                )
            )
            bar.advance(task)
    for method in SHIPPING:
        await bus.handle(method)
    for coupon in COUPONS:
        await bus.handle(coupon)
    owner_password = None
    if not any(m.name == OWNER for m in await shop.views.staff_members()):
        owner_id = int(await bus.handle(c.AddStaff(OWNER, Role.ADMIN, None, actor=c.SYSTEM)))
        owner_password = secrets.token_urlsafe(12)
        await SqlStaffAccessStore(shop.sessions, shop.clock).set_password(owner_id, owner_password, "en")
    if await _count(shop, orm.stock_levels) == 0:
        await _bulk_stock(shop)
    if await _count(shop, orm.customers) == 0:
        await _bulk_history(shop, customers, orders)
        await backfill(shop.sessions)  # the history went in as raw rows, past the outbox: the dashboard's rollups
    return SeedSummary(
        await _count(shop, orm.products),
        await _count(shop, orm.variants),
        await _count(shop, orm.customers),
        await _count(shop, orm.orders),
        owner_password,
    )


async def _bulk_stock(shop: Shop) -> None:
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


async def _bulk_history(shop: Shop, n_customers: int, n_orders: int) -> None:
    """Customers and past orders spread over 90 days, with the analytics events a funnel needs.

    History is a sales record: it does not move today's stock (the opening stock above is what's left).
    """
    rng = random.Random(11)
    now = shop.clock.now()
    currency = shop.settings.currency
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
        customer_rows = []
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
        identities, consents, events = [], [], []
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
        order_rows, order_lines = [], []
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
            base = {"customer_id": row["customer_id"], "channel": row["channel"], "properties": {}}
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
    shop: Shop,
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
    hold = timedelta(minutes=shop.settings.reservation_minutes)
    base = shop.settings.base_url
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
