"""The demo's 18 months of history have the shapes analytics and forecasts are meant to find.

A small catalog (made through the real commands) and a reduced customer count keep this quick; the shapes
are the same ones ``chatshop seed --demo`` writes for the full demo catalog.
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import mean
from typing import Any

import pytest
from sqlalchemy import and_, func, select

from chatshop.bootstrap import Shop, build_shop
from chatshop.seed import COUPONS, WAREHOUSES, demo_history
from chatshop.settings import Settings
from domain import commands as c
from domain.adapters import orm
from domain.adapters.demo_history import PROMO_CODE, WELCOME_CODE, DemoPlan
from domain.adapters.orm_campaigns import campaign_deliveries, campaigns
from domain.adapters.rollup_views import RollupViews
from domain.adapters.rollups import backfill, verify
from tests.support.clock import FakeClock

COLORS = ("red", "blue", "black")
SIZES = ("S", "M", "L")
CUSTOMERS, ORDERS, MONTHS, SEED = 500, 3000, 18, 5


async def small_catalog(shop: Shop) -> None:
    for code, name, priority, country in WAREHOUSES:
        await shop.bus.handle(c.CreateWarehouse(code, name, priority, country, actor=c.SYSTEM))
    for n in range(30):
        specs = tuple(
            c.VariantSpec(f"P{n:02d}-{color}-{size}", 1500 + 250 * n, {"color": color, "size": size})
            for color in COLORS
            for size in SIZES
        )
        category = ("Apparel", "Tops") if n % 2 else ("Home", "Kitchen")
        await shop.bus.handle(c.UpsertProduct(f"Product {n}", specs, category, slug=f"product-{n}", actor=c.SYSTEM))
    for coupon in COUPONS:
        if coupon.code in (PROMO_CODE, WELCOME_CODE):
            await shop.bus.handle(coupon)


async def seed_history(shop: Shop, seed: int = SEED) -> DemoPlan:
    await small_catalog(shop)
    history = demo_history(shop)
    plan = await history.plan(MONTHS, seed)
    await history.add_opening_stock(plan)
    await history.add_history(plan, CUSTOMERS, ORDERS, seed)
    return plan


@dataclass
class Sold:
    day: date
    product_id: int
    variant_id: int
    quantity: int


async def rows(shop: Shop, stmt: Any) -> list[Any]:
    async with shop.sessions() as session:
        return list((await session.execute(stmt)).all())


async def paid_orders(shop: Shop) -> list[Any]:
    Ord = orm.orders.c
    return await rows(
        shop, select(Ord.id, Ord.customer_id, Ord.placed_at, Ord.coupon_code).where(Ord.paid_at.is_not(None))
    )


def per_day(days: list[date], plan: DemoPlan) -> dict[date, int]:
    counts = Counter(days)
    return {plan.start + timedelta(days=d): counts.get(plan.start + timedelta(days=d), 0) for d in range(plan.days)}


async def test_demo_history_has_trend_weekly_and_yearly_seasons_and_promo_lifts(shop: Shop) -> None:
    plan = await seed_history(shop)
    orders = await paid_orders(shop)
    assert plan.days >= 540  # 18 months
    daily = per_day([o.placed_at.date() for o in orders], plan)
    weekend = mean(n for d, n in daily.items() if d.weekday() >= 5)
    weekday = mean(n for d, n in daily.items() if d.weekday() < 5)
    assert weekend > 1.2 * weekday
    holidays = mean(n for d, n in daily.items() if d.month in (11, 12))
    summer = mean(n for d, n in daily.items() if d.month in (6, 7))
    assert holidays > 1.5 * summer
    half_year = 182
    first, last = list(daily.values())[:half_year], list(daily.values())[-half_year:]
    assert sum(last) > 1.2 * sum(first)  # the shop grows
    # Promo weeks: the promo coupon is used only then, and they sell more than the weeks just before.
    assert len(plan.promos) >= 4
    promo_days = {d for d, _ in daily.items() if plan.promo(d)}
    coupon_days = {o.placed_at.date() for o in orders if o.coupon_code == PROMO_CODE}
    assert coupon_days and coupon_days <= promo_days
    for start, _end, name in plan.promos:
        during = mean(daily[start + timedelta(days=i)] for i in range(7))
        before = mean(daily[start - timedelta(days=i)] for i in range(1, 22) if start - timedelta(days=i) in daily)
        assert during > 1.3 * before, name
    # Coupon redemptions and use counts are what a live checkout would have left.
    Cp = orm.coupons.c
    used = dict(await rows(shop, select(Cp.code, Cp.times_used)))
    redeemed = dict(
        await rows(shop, select(Cp.code, func.count()).join_from(orm.coupon_redemptions, orm.coupons).group_by(Cp.code))
    )
    assert used[PROMO_CODE] == redeemed[PROMO_CODE] == sum(1 for o in orders if o.coupon_code == PROMO_CODE)


async def test_launched_skus_sell_only_after_launch_and_retired_ones_stop_and_hold_no_stock(shop: Shop) -> None:
    plan = await seed_history(shop)
    assert plan.launches and plan.retirements
    Ord, L, V = orm.orders.c, orm.order_lines.c, orm.variants.c
    sold = [
        Sold(r[0].date(), r[1], r[2], r[3])
        for r in await rows(
            shop,
            select(Ord.placed_at, L.product_id, L.variant_id, L.quantity).join(orm.orders, Ord.id == L.order_id),
        )
    ]
    for launched, on in plan.launches.items():
        theirs = [s.day for s in sold if s.product_id == launched]
        assert theirs and min(theirs) >= on
    for retired, last in plan.retirements.items():
        theirs = [s.day for s in sold if s.variant_id == retired]
        assert not theirs or max(theirs) <= last
    inactive = {r[0] for r in await rows(shop, select(V.id).where(V.active.is_(False)))}
    assert inactive == set(plan.retirements)
    S = orm.stock_levels.c
    held = await rows(shop, select(S.variant_id).where(S.variant_id.in_(list(inactive)), S.on_hand != 0))
    assert held == []
    assert await shop.views.ledger_mismatches() == []
    # The long tail: most SKUs sell on few days, with zeros in between.
    days_sold = defaultdict(set)
    for s in sold:
        days_sold[s.variant_id].add(s.day)
    skus = len(await rows(shop, select(V.id)))
    share_of_days = sorted(len(days_sold.get(v, ())) / plan.days for v in range(1, skus + 1))
    assert share_of_days[len(share_of_days) // 2] < 0.2


async def test_customers_arrive_over_time_reorder_and_a_share_lapse(shop: Shop) -> None:
    plan = await seed_history(shop)
    now = shop.clock.now()
    orders = await paid_orders(shop)
    by_customer: dict[int, list[datetime]] = defaultdict(list)
    for o in orders:
        by_customer[o.customer_id].append(o.placed_at)
    firsts = sorted(min(times) for times in by_customer.values())
    assert firsts[len(firsts) // 2] - firsts[0] > timedelta(days=120)  # acquisition spread over the history
    repeaters = [t for t in by_customer.values() if len(t) >= 2]
    assert len(repeaters) > len(by_customer) / 2
    lapsed = [t for t in by_customer.values() if now - max(t) > timedelta(days=180)]
    active = [t for t in by_customer.values() if now - max(t) < timedelta(days=60)]
    assert 0.15 < len(lapsed) / len(by_customer) < 0.8 and len(active) > len(by_customer) / 5
    C = orm.customers.c
    never = await rows(shop, select(C.id).where(C.id.not_in(list(by_customer))))
    assert len(never) > CUSTOMERS / 5  # browsers who never bought: the funnel narrows
    assert len(orders) <= ORDERS and plan.start < firsts[0].date() + timedelta(days=45)


async def test_the_rollups_backfilled_from_the_history_verify_with_no_mismatch(shop: Shop) -> None:
    await seed_history(shop)
    await backfill(shop.sessions)
    assert await verify(shop.sessions) == []


async def test_the_history_has_monthly_broadcasts_that_the_dashboard_and_the_campaign_report_show(shop: Shop) -> None:
    plan = await seed_history(shop)
    await backfill(shop.sessions)
    today = shop.clock.now().date()
    reports = await shop.views.campaigns.reports()
    assert len(reports) >= MONTHS - 1  # about one a month
    names = " ".join(r.name for r in reports)
    assert "sale" in names and "new-arrivals" in names and "win-back" in names
    for r in reports:
        assert r.status == "finished" and r.queued == r.sending == 0
        assert r.sent > 0, r.name
    assert 0 < sum(r.failed for r in reports) < sum(r.sent for r in reports) / 10  # mostly sent, some failed
    assert sum(r.clicks for r in reports) > 0 and sum(r.opt_outs for r in reports) > 0
    assert sum(r.orders for r in reports) > 0 and sum(r.revenue for r in reports) > 0
    # The dashboard's panel: revenue and messages per campaign, over the history and the last 30 days.
    dashboard = RollupViews(shop.sessions, shop.settings.currency, shop.clock)
    shown = await dashboard.campaigns(plan.start, today)
    assert len(shown) >= min(20, len(reports)) - 2
    assert all(ranked.amount > 0 and messages > 0 for ranked, messages in shown)
    assert await dashboard.campaigns(today - timedelta(days=29), today)
    # Whoever pressed Unsubscribe is opted out, with the campaign as the consent's source, and got nothing later.
    A, D, Cn, Cu = orm.analytics_events.c, campaign_deliveries.c, orm.consent_entries.c, orm.customers.c
    opt_outs = await rows(shop, select(A.customer_id, A.occurred_at, A.properties).where(A.name == "campaign_optout"))
    for customer_id, at, properties in opt_outs:
        opted_in = await rows(shop, select(Cu.marketing_opt_in).where(Cu.id == customer_id))
        assert opted_in == [(False,)]
        sources = {r[0] for r in await rows(shop, select(Cn.source).where(Cn.customer_id == customer_id))}
        assert f"campaign:{properties['campaign_id']}" in sources
        later = await rows(shop, select(D.id).where(D.customer_id == customer_id, D.created_at > at))
        assert later == []
    assert await verify(shop.sessions) == []


async def test_orders_credited_to_a_campaign_follow_a_delivery_within_its_window_and_sends_lift_orders(
    shop: Shop,
) -> None:
    await seed_history(shop)
    Ord, D, Cp = orm.orders.c, campaign_deliveries.c, campaigns.c
    sent_before = and_(
        D.campaign_id == Ord.campaign_id,
        D.customer_id == Ord.customer_id,
        D.state == "sent",
        D.sent_at <= Ord.placed_at,
    )
    credited = await rows(
        shop,
        select(Ord.id, Ord.placed_at, Cp.attribution_days, func.max(D.sent_at))
        .join(campaigns, Cp.id == Ord.campaign_id)
        .outerjoin(campaign_deliveries, sent_before)
        .group_by(Ord.id, Ord.placed_at, Cp.attribution_days)
        .order_by(Ord.id),
    )
    assert len(credited) > 50
    for order_id, placed, days, last_sent in credited:
        assert last_sent is not None and placed - last_sent <= timedelta(days=days), order_id
    # The domain's own rule (attribute_order: last touch, within that campaign's window) credits the same
    # campaign to those orders, and none to orders placed within 14 days after a send that were not credited.
    after_a_send = await rows(
        shop,
        select(Ord.id, Ord.placed_at, D.sent_at)
        .join(campaign_deliveries, and_(D.customer_id == Ord.customer_id, D.state == "sent"))
        .where(Ord.campaign_id.is_(None), D.sent_at <= Ord.placed_at),
    )
    near = sorted({r[0] for r in after_a_send if r[1] - r[2] <= timedelta(days=14)})[:80]
    assert near
    stored = dict(await rows(shop, select(Ord.id, Ord.campaign_id)))
    for order_id in [r[0] for r in credited[::5]] + near:
        assert await shop.bus.handle(c.AttributeOrder(order_id)) == stored[order_id], order_id
    # The lift: people who got a message order more in the week after it than in the week before.
    sends = await rows(shop, select(D.customer_id, D.sent_at).where(D.state == "sent"))
    placed: dict[int, list[datetime]] = defaultdict(list)
    for customer_id, at in await rows(shop, select(Ord.customer_id, Ord.placed_at)):
        placed[customer_id].append(at)
    week = timedelta(days=7)
    after = sum(1 for cid, at in sends for t in placed[cid] if at <= t < at + week)
    before = sum(1 for cid, at in sends for t in placed[cid] if at - week <= t < at)
    assert after > 1.2 * before


async def history_rows(shop: Shop) -> list[tuple[Any, ...]]:
    Ord, L, C, P = orm.orders.c, orm.order_lines.c, orm.customers.c, orm.payments.c
    stmt = (
        select(
            C.email,
            Ord.placed_at,
            Ord.status,
            Ord.total,
            Ord.coupon_code,
            Ord.campaign_id,
            L.sku,
            L.quantity,
            P.session_id,
        )
        .join(orm.orders, Ord.id == L.order_id)
        .join(orm.customers, C.id == Ord.customer_id)
        .join(orm.payments, P.order_id == Ord.id)
        .order_by(Ord.id, L.id)
    )
    return [tuple(r) for r in await rows(shop, stmt)]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_same_seed_gives_the_same_history_and_another_seed_another(
    shop: Shop, sqlite_template: Path, tmp_path: Path, clock: FakeClock
) -> None:
    await seed_history(shop)
    shops = []
    for seed in (SEED, SEED + 1):
        path = tmp_path / f"again-{seed}.db"
        shutil.copy(sqlite_template, path)
        settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", _env_file=None)  # type: ignore[call-arg]
        shops.append(build_shop(settings, clock=clock))
        await seed_history(shops[-1], seed)
    try:
        first = await history_rows(shop)
        assert len(first) > ORDERS
        assert await history_rows(shops[0]) == first
        assert await history_rows(shops[1]) != first
    finally:
        for other in shops:
            await other.close()
