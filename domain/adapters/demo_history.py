"""The demo shop's bulk rows (``chatshop seed --demo``): opening stock with its ledger, and customers with
months of past orders, payments, coupon redemptions, refunds and analytics events, written with Core in one
transaction each.

The history is shaped to be worth analysing: growth, weekend peaks, a holiday peak and a summer dip, dated
promo weeks with a coupon and a lift, products launched and SKUs retired part-way, a long tail of SKUs that
sell now and then, and customers who arrive over time, reorder at their own pace and some of whom stop.
About once a month a broadcast campaign goes out (domain/adapters/demo_campaigns.py): its deliveries, clicks
and opt-outs, a few extra orders in the days after it, and the orders credited to it by the domain's rule.
Everything follows one seed: the same seed on the same day gives the same rows.

The catalog itself goes through the real commands (chatshop/seed.py); only what would take thousands of
commands is written here, shaped exactly as live checkouts leave it.
"""

from __future__ import annotations

import base64
import random
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.demo_campaigns import (
    CampaignHistory,
    Person,
    attribute,
    campaign_rows,
    choose_featured,
    plan_broadcasts,
    simulate,
)
from domain.adapters.orm_campaigns import campaign_deliveries
from domain.adapters.orm_campaigns import campaigns as campaigns_table
from domain.adapters.payments import sandbox
from domain.adapters.payments.sandbox import SandboxPaymentProvider
from domain.model.customers import Channel
from domain.model.money import Money
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


# --- the shape of the history ------------------------------------------------------------------------------
# Orders per weekday (Monday first) and per calendar month, relative to an average day: weekends peak,
# November and December carry the holidays, June to August dip.
WEEKDAY = (0.84, 0.80, 0.83, 0.90, 1.05, 1.40, 1.28)
MONTH = (0.86, 0.84, 0.95, 1.00, 0.97, 0.78, 0.72, 0.80, 1.00, 1.06, 1.38, 1.62)
# Orders per hour of the day (UTC), evenings busiest.
HOURS = (1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 7, 8, 7, 6, 6, 7, 8, 10, 12, 12, 10, 6, 3)
PROMO_LIFT = 1.8  # a promo week sells this much more than the same week would have
PROMO_CODE = "SUMMER20"  # 20% off orders over 50.00: the promo weeks' coupon (chatshop/seed.py makes it)
WELCOME_CODE = "WELCOME10"  # some first orders use it (one use per customer)
# (month, day, name) of each year's promo weeks, seven days from that date.
PROMO_WEEKS = ((3, 14, "spring sale"), (7, 8, "summer sale"), (11, 24, "black friday week"))
BUYERS = 0.55  # share of customers who ever order; the rest only browse (the funnel should show it)
LOYAL = 0.18  # buyers who never stop buying; the others stop after a lifetime drawn per customer
MEAN_LIFETIME_DAYS = 150.0
OPENING = 0.15  # customers who arrive in the history's first weeks (the shop was already trading)


@dataclass(frozen=True)
class DemoPlan:
    """What the demo history follows, a pure function of the catalog, today, the months and the seed:
    tests check the generated rows against it."""

    start: date  # the first day of history
    end: date  # today
    launches: dict[int, date]  # product id → the first day its SKUs are on sale
    retirements: dict[int, date]  # variant id → its last day on sale (then made inactive)
    promos: tuple[tuple[date, date, str], ...]  # first day, last day, name

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def on_sale(self, product_id: int, variant_id: int, day: date) -> bool:
        launch = self.launches.get(product_id)
        retire = self.retirements.get(variant_id)
        return (launch is None or day >= launch) and (retire is None or day <= retire)

    def promo(self, day: date) -> bool:
        return any(first <= day <= last for first, last, _ in self.promos)

    def season(self, day: date) -> float:
        """How many orders this day draws against an average day, before growth."""
        lift = PROMO_LIFT if self.promo(day) else 1.0
        return WEEKDAY[day.weekday()] * MONTH[day.month - 1] * lift


@dataclass(frozen=True)
class CatalogRow:
    product_id: int
    variant_id: int
    slug: str
    options: dict[str, Any]


def history_start(today: date, months: int) -> date:
    month = today.month - months
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return today.replace(year=year, month=month, day=min(today.day, 28))


def plan_history(rows: Sequence[CatalogRow], today: date, months: int, seed: int) -> DemoPlan:
    """Launches (about one product in ten starts selling part-way), retirements (about one SKU in twenty
    stops, never a product's last SKU nor the last of a colour or size, so the shop's words stay the same)
    and the dated promo weeks."""
    rng = random.Random(f"{seed}-plan")
    start = history_start(today, months)
    days = (today - start).days + 1
    products = sorted({r.product_id for r in rows})
    launches = {
        pid: start + timedelta(days=int(days * rng.uniform(0.2, 0.85))) for pid in products if rng.random() < 0.1
    }
    left: dict[tuple[str, str], int] = {}
    per_product: dict[int, int] = {}
    for r in rows:
        per_product[r.product_id] = per_product.get(r.product_id, 0) + 1
        for name, value in r.options.items():
            left[(name.lower(), str(value))] = left.get((name.lower(), str(value)), 0) + 1
    retirements: dict[int, date] = {}
    for r in sorted(rows, key=lambda r: r.variant_id):
        wanted = rng.random() < 0.05
        # The README's walk-through (red running shoes, size 42) keeps every size.
        if not wanted or "shoe" in r.slug or per_product[r.product_id] < 2:
            continue
        keys = [(k.lower(), str(v)) for k, v in r.options.items()]
        if any(left[k] < 2 for k in keys):
            continue
        launch = launches.get(r.product_id, start)
        first = max(launch + timedelta(days=60), start + timedelta(days=int(days * 0.3)))
        last = start + timedelta(days=int(days * 0.92))
        if first >= last:
            continue
        retirements[r.variant_id] = first + timedelta(days=rng.randrange((last - first).days))
        per_product[r.product_id] -= 1
        for k in keys:
            left[k] -= 1
    promos = []
    for year in range(start.year, today.year + 1):
        for month, day, name in PROMO_WEEKS:
            first = date(year, month, day)
            if start <= first and first + timedelta(days=6) < today:
                promos.append((first, first + timedelta(days=6), name))
    return DemoPlan(start, today, launches, retirements, tuple(sorted(promos)))


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

    async def plan(self, months: int, seed: int) -> DemoPlan:
        V, P = orm.variants.c, orm.products.c
        async with self.sessions() as session:
            rows = (
                await session.execute(
                    select(V.product_id, V.id, P.slug, V.options)
                    .join(orm.products, P.id == V.product_id)
                    .order_by(V.id)
                )
            ).all()
        catalog = [CatalogRow(int(r[0]), int(r[1]), str(r[2]), dict(r[3] or {})) for r in rows]
        return plan_history(catalog, self.clock.now().date(), months, seed)

    async def add_opening_stock(self, plan: DemoPlan) -> None:
        await _bulk_stock(self, plan)

    async def add_history(self, plan: DemoPlan, n_customers: int, n_orders: int, seed: int) -> None:
        await _bulk_history(self, plan, n_customers, n_orders, seed)

    async def add_sourcing(self, supplier_by_brand: dict[str, int]) -> int:
        """Where each active SKU is bought: its brand's supplier, at 55% of its price, in packs of 6 when it
        sells under 20.00 (so reorder suggestions after ``make run`` turn into draft purchase orders)."""
        from domain.adapters.orm_forecasting import variant_sourcing

        v, p = orm.variants.c, orm.products.c
        async with self.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(v.id, v.price, p.brand).join(orm.products, p.id == v.product_id).where(v.active.is_(True))
                )
            ).all()
            values = [
                {
                    "variant_id": int(vid),
                    "supplier_id": supplier_by_brand[brand],
                    "pack_size": 6 if price < 2000 else 1,
                    "unit_cost": price * 55 // 100,
                    "updated_at": self.clock.now(),
                }
                for vid, price, brand in rows
                if brand in supplier_by_brand
            ]
            if values:
                await session.execute(insert(variant_sourcing), values)
            return len(values)


async def _bulk_stock(shop: DemoHistory, plan: DemoPlan) -> None:
    """Opening stock with its ledger; retired SKUs hold none and are inactive, as the catalog would keep them."""
    rng = random.Random(7)
    now = shop.clock.now()
    async with shop.sessions() as session, session.begin():
        variants = (await session.execute(select(orm.variants.c.id).order_by(orm.variants.c.id))).scalars().all()
        warehouses = (await session.execute(select(orm.warehouses.c.id, orm.warehouses.c.code))).all()
        levels, movements = [], []
        for vid in variants:
            for wid, code in warehouses:
                qty = rng.choice([0, 3, 8, 15, 25, 40]) if code == "EAST" else rng.choice([0, 5, 10, 20, 60])
                if vid in plan.retirements:
                    qty = 0
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
        if movements:
            await session.execute(insert(orm.stock_movements), movements)
        if plan.retirements:
            await session.execute(
                update(orm.variants).where(orm.variants.c.id.in_(list(plan.retirements))).values(active=False)
            )


def _purchase_days(plan: DemoPlan, n_customers: int, n_orders: int, seed: int) -> tuple[list[int], list[list[int]]]:
    """Each customer's acquisition day and the days they order on (day numbers from the plan's start).

    Customers arrive with the shop's growth and its seasons; a buyer orders first on arrival, then again
    after gaps drawn around their own mean gap, until the end of a lifetime drawn per customer (some are
    loyal for good). Gaps run in "seasonal time", so repeat orders also peak at weekends and in December.
    The gaps are scaled until the history holds at least ``n_orders`` orders, then thinned to exactly that.
    """
    days = plan.days
    season = [plan.season(plan.start + timedelta(days=d)) for d in range(days)]
    mean = sum(season) / days
    clock = list(accumulate(s / mean for s in season))  # seasonal time at the end of each day
    growth = [0.6 + 0.4 * d / max(1, days - 1) for d in range(days)]
    arrivals = list(accumulate(g * s for g, s in zip(growth, season, strict=True)))
    scale = 1.0
    for _ in range(12):
        rng = random.Random(f"{seed}-customers")
        acquired: list[int] = []
        orders: list[list[int]] = []
        for _c in range(n_customers):
            if rng.random() < OPENING:  # the shop's first customers, when the history starts
                first = rng.randrange(min(45, days))
            else:
                first = bisect_left(arrivals, rng.random() * arrivals[-1])
            acquired.append(first)
            if rng.random() >= BUYERS and _c > 0:  # the first customer always buys: a tiny demo has an order
                orders.append([])
                continue
            gap = rng.gammavariate(2.0, 22.0) * scale + 3.0
            loyal = rng.random() < LOYAL
            lifetime = float("inf") if loyal else rng.expovariate(1 / MEAN_LIFETIME_DAYS)
            mine, day, t = [first], first, clock[first]
            while True:
                t += rng.gammavariate(2.0, gap / 2.0)
                day = bisect_left(clock, t)
                if day >= days or day - first > lifetime:
                    break
                mine.append(day)
            orders.append(mine)
        total = sum(len(o) for o in orders)
        if total >= n_orders or scale < 0.02:
            break
        scale *= max(0.3, min(0.9, total / max(1, n_orders) * 0.9))
    # Thin to the asked count: a random choice of orders goes, the rest keep their days.
    flat = [(i, d) for i, mine in enumerate(orders) for d in mine]
    keep = sorted(random.Random(f"{seed}-thin").sample(range(len(flat)), min(n_orders, len(flat))))
    thinned: list[list[int]] = [[] for _ in orders]
    for k in keep:
        i, d = flat[k]
        thinned[i].append(d)
    return acquired, thinned


async def _bulk_history(shop: DemoHistory, plan: DemoPlan, n_customers: int, n_orders: int, seed: int) -> None:
    """Customers and their orders over the plan's months, with the analytics events a funnel needs.

    History is a sales record: it does not move today's stock (the opening stock above is what's left).
    """
    rng = random.Random(f"{seed}-history")
    now = shop.clock.now()
    currency = shop.currency
    start = datetime.combine(plan.start, time.min, tzinfo=UTC)
    acquired, purchase_days = _purchase_days(plan, n_customers, n_orders, seed)
    async with shop.sessions() as session, session.begin():
        variants = (
            await session.execute(
                select(
                    orm.variants.c.id,
                    orm.variants.c.sku,
                    orm.variants.c.price,
                    orm.variants.c.product_id,
                    orm.products.c.name,
                )
                .join(orm.products, orm.products.c.id == orm.variants.c.product_id)
                .order_by(orm.variants.c.id)
            )
        ).all()
        coupon_ids = {
            str(r[0]): int(r[1]) for r in (await session.execute(select(orm.coupons.c.code, orm.coupons.c.id))).all()
        }
        # A few products sell a lot more than the rest, as in every shop; most sell a unit now and then.
        cum_weights = list(accumulate(rng.paretovariate(1.2) for _ in variants))

        def at(day: int) -> datetime:
            """A moment in ``day``, evenings likelier; never after now."""
            hour = rng.choices(range(24), weights=HOURS)[0]
            moment = start + timedelta(days=day, hours=hour, minutes=rng.uniform(0, 60))
            return min(moment, now - timedelta(minutes=rng.uniform(30, 600)))

        first_orders = [at(days[0]) if days else None for days in purchase_days]
        customer_rows: list[dict[str, Any]] = []
        for i in range(n_customers):
            country = rng.choice(COUNTRIES)
            zh = country in ("CN", "SG") and rng.random() < 0.8
            first = first_orders[i]
            created = first - timedelta(minutes=30) if first else at(acquired[i])
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
        campaigns = _campaigns(plan, variants, customer_rows, identities, purchase_days, now, seed)
        await session.execute(insert(orm.channel_identities), identities)
        campaign_ids = await _write_campaigns(session, campaigns, ids, consents, events)
        await session.execute(insert(orm.consent_entries), consents)
        purchase_days = _make_room(purchase_days, len(campaigns.lift), seed)
        order_rows: list[dict[str, Any]] = []
        order_lines: list[list[dict[str, Any]]] = []
        coupon_uses: list[tuple[int, str]] = []  # (index into order_rows, code)
        placed_orders = sorted(
            [
                ((first_orders[i] or at(d)) if n == 0 else at(d), i, n == 0)
                for i, days in enumerate(purchase_days)
                for n, d in enumerate(days)
            ]
            + [(placed, i, False) for i, placed in campaigns.lift]
        )
        customer_index = {cid: i for i, cid in enumerate(ids)}
        for placed, i, is_first in placed_orders:
            cid, customer = ids[i], customer_rows[i]
            day = placed.date()
            chosen: dict[int, dict[str, Any]] = {}
            for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
                for _try in range(30):  # a SKU on sale that day: launched and not yet retired
                    v = variants[bisect_left(cum_weights, rng.random() * cum_weights[-1])]
                    if plan.on_sale(v.product_id, v.id, day):
                        break
                else:
                    continue
                chosen.setdefault(
                    v.id,
                    {
                        "variant_id": v.id,
                        "product_id": v.product_id,
                        "sku": v.sku,
                        "name": v.name,
                        "unit_price": v.price,
                        "quantity": rng.choice([1, 1, 1, 2]),
                        "discount": 0,
                    },
                )
            if not chosen:
                continue
            line_list = list(chosen.values())
            subtotal = sum(li["unit_price"] * li["quantity"] for li in line_list)
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
            code = None
            if paid and plan.promo(day) and subtotal >= 5000 and rng.random() < 0.7:
                code = PROMO_CODE
            elif paid and is_first and rng.random() < 0.2:
                code = WELCOME_CODE
            discount = 0
            if code and code in coupon_ids:
                bp = 2000 if code == PROMO_CODE else 1000
                split = (
                    Money(subtotal, currency)
                    .basis_points(bp)
                    .allocate([li["unit_price"] * li["quantity"] for li in line_list])
                )
                for li, part in zip(line_list, split, strict=True):
                    li["discount"] = part.amount
                discount = sum(li["discount"] for li in line_list)
                coupon_uses.append((len(order_rows), code))
            else:
                code = None
            total = subtotal - discount + shipping
            order_rows.append(
                {
                    "customer_id": cid,
                    "channel": identities[i]["channel"],
                    "currency": currency,
                    "status": status,
                    "coupon_code": code,
                    "shipping_method": "standard",
                    "shipping_address": {"country": customer["country"]},
                    "subtotal": subtotal,
                    "discount": discount,
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
            order_lines.append(line_list)
        credited = attribute(
            [(customer_index[row["customer_id"]], row["placed_at"]) for row in order_rows],
            campaigns.touches(),
            campaigns.broadcasts,
        )
        for row, k in zip(order_rows, credited, strict=True):
            row["campaign_id"] = None if k is None else campaign_ids[k]
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
        await _bulk_coupons(session, coupon_ids, coupon_uses, order_ids, order_rows)
        await _bulk_money(session, shop, order_ids, order_rows, order_lines, seed)
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
        for _ in range(n_customers * 2):  # browsing that did not end in an order, from arrival on
            i = rng.randrange(n_customers)
            t = at(acquired[i] + int(rng.random() * (plan.days - acquired[i])))
            v = variants[rng.randrange(len(variants))]
            cid = ids[i]
            base = {
                "customer_id": cid,
                "channel": identities[i]["channel"],
                "properties": {},
                "order_id": None,
                "value": None,
            }
            events.append(base | {"name": "message_received", "occurred_at": t, "product_id": None})
            if rng.random() < 0.6:
                events.append(base | {"name": "product_viewed", "occurred_at": t, "product_id": v.product_id})
            if rng.random() < 0.15:
                events.append(base | {"name": "added_to_cart", "occurred_at": t, "product_id": v.product_id})
        await session.execute(insert(orm.analytics_events), events)


def _campaigns(
    plan: DemoPlan,
    variants: Sequence[Any],
    customers: list[dict[str, Any]],
    identities: list[dict[str, Any]],
    purchase_days: list[list[int]],
    now: datetime,
    seed: int,
) -> CampaignHistory:
    """The month-by-month broadcasts and what each customer did with them (domain/adapters/demo_campaigns.py)."""
    broadcasts = plan_broadcasts(plan, now, PROMO_CODE, seed)
    people = [
        Person(
            row["created_at"],
            identity["channel"],
            identity["external_id"],
            row["locale"],
            row["timezone"],
            row["marketing_opt_in"],
            tuple(days),
        )
        for row, identity, days in zip(customers, identities, purchase_days, strict=True)
    ]
    featured = choose_featured(broadcasts, plan, variants, seed)
    return simulate(broadcasts, featured, people, plan.start, now, seed)


async def _write_campaigns(
    session: AsyncSession,
    campaigns: CampaignHistory,
    customer_ids: Sequence[int],
    consents: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> list[int]:
    """The campaigns and their deliveries; opt-outs as the Unsubscribe button leaves them (a consent entry,
    the customer's opt-in off, a ``campaign_optout`` row) and clicks as ``campaign_click`` rows, both added
    to ``consents`` and ``events`` for the caller to write. Returns the campaigns' ids, by index."""
    if not campaigns.broadcasts:
        return []
    rows = campaign_rows(campaigns)
    ids = list(
        (
            await session.execute(
                insert(campaigns_table).returning(campaigns_table.c.id, sort_by_parameter_order=True), rows
            )
        )
        .scalars()
        .all()
    )
    deliveries = [
        {k: v for k, v in row.items() if k not in ("campaign", "customer")}
        | {"campaign_id": ids[row["campaign"]], "customer_id": customer_ids[row["customer"]], "run": 1}
        for row in campaigns.deliveries
    ]
    if deliveries:
        await session.execute(insert(campaign_deliveries), deliveries)
    channel_of = {(row["campaign"], row["customer"]): row["channel"] for row in campaigns.deliveries}
    for k, i, moment in campaigns.opt_outs:
        consents.append(
            {
                "customer_id": customer_ids[i],
                "purpose": "marketing",
                "granted": False,
                "source": f"campaign:{ids[k]}",
                "created_at": moment,
            }
        )
    if campaigns.opt_outs:
        out = [customer_ids[i] for _, i, _ in campaigns.opt_outs]
        await session.execute(update(orm.customers).where(orm.customers.c.id.in_(out)).values(marketing_opt_in=False))
    featured = campaigns.featured
    for name, touches in (("campaign_optout", campaigns.opt_outs), ("campaign_click", campaigns.clicks)):
        for k, i, moment in touches:
            properties: dict[str, Any] = {"campaign_id": ids[k]}  # as the chat's buttons record them
            if name == "campaign_click" and featured[k]:
                properties["sku"] = featured[k][i % len(featured[k])][0]
            events.append(
                {
                    "name": name,
                    "occurred_at": moment,
                    "customer_id": customer_ids[i],
                    "channel": channel_of[(k, i)],
                    "product_id": None,
                    "order_id": None,
                    "value": None,
                    "properties": properties,
                }
            )
    return ids


def _make_room(purchase_days: list[list[int]], n: int, seed: int) -> list[list[int]]:
    """``n`` repeat orders taken out at random, so that with the campaigns' extra orders the history still
    holds the orders asked for (first orders stay: who bought and when they arrived do not change)."""
    repeats = [(i, n_) for i, days in enumerate(purchase_days) for n_ in range(1, len(days))]
    gone = set(random.Random(f"{seed}-room").sample(repeats, min(n, len(repeats))))
    return [[d for n_, d in enumerate(days) if (i, n_) not in gone] for i, days in enumerate(purchase_days)]


def _token(rng: random.Random, size: int) -> str:
    """``secrets.token_urlsafe``'s shape from the seeded generator: a demo's ids repeat with its seed."""
    return base64.urlsafe_b64encode(rng.randbytes(size)).rstrip(b"=").decode()


async def _bulk_coupons(
    session: AsyncSession,
    coupon_ids: dict[str, int],
    uses: list[tuple[int, str]],
    order_ids: Sequence[int],
    order_rows: list[dict[str, Any]],
) -> None:
    """The redemption a checkout with a coupon leaves, and the coupon's use count."""
    if not uses:
        return
    await session.execute(
        insert(orm.coupon_redemptions),
        [
            {
                "coupon_id": coupon_ids[code],
                "customer_id": order_rows[i]["customer_id"],
                "order_id": order_ids[i],
                "created_at": order_rows[i]["placed_at"],
                "voided": False,
                "use_number": 1 if code == WELCOME_CODE else None,  # WELCOME10: once per customer
            }
            for i, code in uses
        ],
    )
    C = orm.coupons.c
    for code in sorted({code for _, code in uses}):
        used = sum(1 for _, c in uses if c == code)
        await session.execute(
            update(orm.coupons).where(C.id == coupon_ids[code]).values(times_used=C.times_used + used)
        )


async def _bulk_money(
    session: AsyncSession,
    shop: DemoHistory,
    order_ids: Sequence[int],
    order_rows: list[dict[str, Any]],
    order_lines: list[list[dict[str, Any]]],
    seed: int,
) -> None:
    """Each past order's payment through the sandbox, as a live checkout leaves it, and its refund if any.

    Paid orders: a succeeded payment and a "paid" sandbox session (what the sandbox's refund checks);
    orders whose link expired: an expired payment; refunded orders: a succeeded refund booked at the
    sandbox under the key ``process_refund`` uses, so the sandbox and the shop agree on what went back.
    """
    rng = random.Random(f"{seed}-money")  # its own, so the rest of the history stays as it was
    now = shop.clock.now()
    hold = timedelta(minutes=shop.reservation_minutes)
    base = shop.base_url
    payments, sessions = [], []
    for oid, row, lines in zip(order_ids, order_rows, order_lines, strict=True):
        session_id = "sbcs_" + _token(rng, 18)  # the shape the sandbox gives its sessions
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
                "provider_refund_id": "sbre_" + _token(rng, 12),
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
