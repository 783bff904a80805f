"""The reports compare a running period with the same stretch of time one period earlier, cut at the minute:
``takings`` answers any window from the daily and hourly rollups plus the orders of the minutes at its ends,
and gives what the raw orders give for the same window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from domain import commands as c
from domain.adapters import orm
from domain.adapters.rollup_views import RollupViews
from domain.views.dashboard import Takings
from tests.integration.analytics.test_rollups import pay
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop


async def raw(small: SmallShop, start: datetime, end: datetime) -> Takings:
    o = orm.orders.c
    async with small.shop.sessions() as session:
        row = (
            await session.execute(
                select(func.count(), func.sum(o.total), func.sum(o.captured - o.refunded)).where(
                    o.paid_at >= start, o.paid_at < end
                )
            )
        ).one()
    return Takings(int(row[0]), int(row[1] or 0), int(row[2] or 0))


async def test_takings_of_any_window_equal_the_raw_orders_of_that_window(small: SmallShop, clock: FakeClock) -> None:
    shop = small.shop
    start = clock.now()
    # Orders over two days at minutes that fall inside and outside the windows' ragged ends, one refunded.
    for i, step in enumerate((0, 2, 61, 7, 600, 3, 58, 121, 1, 900, 44, 16, 300)):
        clock.advance(minutes=step)
        order_id = await small.checkout(await small.customer(f"web-{i % 4}"), "MUG-WHT", 1 + i % 3)
        await pay(small, order_id)
        if i == 5:
            await shop.bus.refund(c.RefundOrder(order_id, 300, "chipped", actor=c.SYSTEM))
    await shop.outbox.drain()
    views = RollupViews(shop.sessions, "USD", shop.clock)
    day = start.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=UTC)
    cuts = [
        (day, clock.now() + timedelta(minutes=1)),  # whole days, then the hours and minutes of the last
        (day, start + timedelta(minutes=5)),  # today until a minute inside an hour
        (start + timedelta(minutes=1), start + timedelta(hours=13, minutes=7)),  # ragged at both ends
        (start + timedelta(minutes=30), start + timedelta(minutes=40)),  # inside one hour
        (start - timedelta(minutes=10), start + timedelta(minutes=63)),  # across two hours' ends
        (day + timedelta(hours=23), day + timedelta(days=1, hours=2)),  # hours on both sides of midnight
        (day, day + timedelta(days=2)),  # whole days only
    ]
    for lo, hi in cuts:
        assert await views.takings(lo, hi) == await raw(small, lo, hi), (lo, hi)
    assert (await views.takings(day, day + timedelta(days=3))).orders == 13
