"""The dashboard's queries, all from the rollups (never from orders): a few hundred rows at most per query."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.orm_campaigns import campaign_deliveries, campaigns
from domain.adapters.orm_rollups import (
    FUNNEL_STEPS,
    rollup_campaign_daily,
    rollup_cohorts,
    rollup_customers_daily,
    rollup_funnel_daily,
    rollup_product_daily,
    rollup_sales_daily,
    rollup_sales_hourly,
)
from domain.ports import Clock
from domain.views.dashboard import CohortCell, DayPoint, Ranked, Takings, Totals

S = rollup_sales_daily.c
PD = rollup_product_daily.c
H = rollup_sales_hourly.c
HOUR, DAY = timedelta(hours=1), timedelta(days=1)


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _floor(at: datetime, step: timedelta) -> datetime:
    at = at.astimezone(UTC)
    midnight = datetime.combine(at.date(), time.min, UTC)
    return midnight + (at - midnight) // step * step


def _ceil(at: datetime, step: timedelta) -> datetime:
    floor = _floor(at, step)
    return floor if floor == at else floor + step


def split_window(
    start: datetime, end: datetime
) -> tuple[list[tuple[datetime, datetime]], list[tuple[date, int, int]], tuple[date, date] | None]:
    """``[start, end)`` as the rollups can answer it: (parts of an hour at either end, each under an hour;
    (day, first hour, hour after the last) of the hours of days not whole; (first, last) whole day)."""
    if end <= start:
        return [], [], None
    lo, hi = _ceil(start, HOUR), _floor(end, HOUR)
    if lo >= hi:  # within one hour, or across one hour's end
        return [(start, end)], [], None
    parts = [(a, b) for a, b in ((start, lo), (hi, end)) if a < b]
    first, last = _ceil(lo, DAY), _floor(hi, DAY)
    if first >= last:  # no whole day: hours of one day, or of two around midnight
        cut = min(first, hi)
        spans = [(lo, cut), (cut, hi)]
        days = None
    else:
        spans = [(lo, first), (last, hi)]
        days = (first.date(), (last - DAY).date())
    hours = [(a.date(), a.hour, (b - a) // HOUR + a.hour) for a, b in spans if a < b]
    return parts, hours, days


class RollupViews:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], currency: str, clock: Clock) -> None:
        self.sessions = sessions
        self.currency = currency
        self.clock = clock

    def today(self) -> date:
        return self.clock.now().date()

    async def _rows(self, stmt: Select[Any]) -> list[Any]:
        async with self.sessions() as session:
            return list((await session.execute(stmt)).all())

    async def _many(self, *stmts: Select[Any]) -> list[list[Any]]:
        """Several small queries on one connection (one pool checkout, not one per query)."""
        async with self.sessions() as session:
            return [list((await session.execute(stmt)).all()) for stmt in stmts]

    async def totals(self, start: date, end: date) -> Totals:
        C = rollup_customers_daily.c
        sales, people = await self._many(
            select(func.sum(S.orders), func.sum(S.gross), func.sum(S.net)).where(
                S.day >= start, S.day <= end, S.currency == self.currency
            ),
            select(func.sum(C.new_customers), func.sum(C.returning_orders)).where(C.day >= start, C.day <= end),
        )
        s, p = sales[0], people[0]
        return Totals(int(s[0] or 0), int(s[1] or 0), int(s[2] or 0), int(p[0] or 0), int(p[1] or 0))

    async def takings(self, start: datetime, end: datetime) -> Takings:
        parts, hours, days = split_window(start, end)
        Ord = orm.orders.c
        sums = (func.count(), func.sum(Ord.total), func.sum(Ord.captured - Ord.refunded))  # as rollups.facts_select
        in_hours: ColumnElement[bool] = or_(false(), *(and_(H.day == d, H.hour >= a, H.hour < b) for d, a, b in hours))
        in_parts: ColumnElement[bool] = or_(false(), *(and_(Ord.paid_at >= a, Ord.paid_at < b) for a, b in parts))
        whole = (S.day >= days[0]) & (S.day <= days[1]) if days else false()
        daily, hourly, raw = await self._many(
            select(func.sum(S.orders), func.sum(S.gross), func.sum(S.net)).where(whole, S.currency == self.currency),
            select(func.sum(H.orders), func.sum(H.gross), func.sum(H.net)).where(in_hours, H.currency == self.currency),
            # The part of an hour at either end (under an hour each) from the orders paid in it: the hourly
            # rollup has no minutes. Bounded by the index on paid_at to at most two hours of orders.
            select(*sums).where(in_parts, Ord.currency == self.currency),
        )
        got = [[int(v or 0) for v in rows[0]] for rows in (daily, hourly, raw)]
        return Takings(*(sum(g[i] for g in got) for i in range(3)))

    async def trend(self, start: date, end: date) -> list[DayPoint]:
        rows = await self._rows(
            select(S.day, func.sum(S.orders), func.sum(S.gross), func.sum(S.net))
            .where(S.day >= start, S.day <= end, S.currency == self.currency)
            .group_by(S.day)
            .order_by(S.day)
        )
        return [DayPoint(_date(r[0]), int(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def hourly(self, day: date) -> list[tuple[int, int, int]]:
        """(hour, orders, gross) of one day, UTC."""
        rows = await self._rows(
            select(H.hour, H.orders, H.gross).where(H.day == day, H.currency == self.currency).order_by(H.hour)
        )
        return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]

    async def top_products(self, start: date, end: date, by: str = "revenue", limit: int = 10) -> list[Ranked]:
        P = orm.products.c
        units, revenue = func.sum(PD.units).label("units"), func.sum(PD.revenue).label("revenue")
        per = (
            select(PD.product_id, units, revenue)
            .where(PD.day >= start, PD.day <= end, PD.currency == self.currency)
            .group_by(PD.product_id)
            .subquery()
        )
        order = per.c.units if by == "units" else per.c.revenue
        rows = await self._rows(
            select(per.c.product_id, P.name, per.c.units, per.c.revenue)
            .join(orm.products, P.id == per.c.product_id)
            .order_by(order.desc(), P.name)
            .limit(limit)
        )
        return [Ranked(str(r[0]), str(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def top_categories(self, start: date, end: date, limit: int = 10) -> list[Ranked]:
        P, Cat = orm.products.c, orm.categories.c
        revenue = func.sum(PD.revenue).label("revenue")
        name = func.coalesce(Cat.name, "—")
        rows = await self._rows(
            select(name, func.sum(PD.units), revenue)
            .select_from(rollup_product_daily)
            .join(orm.products, P.id == PD.product_id)
            .outerjoin(orm.categories, Cat.id == P.category_id)
            .where(PD.day >= start, PD.day <= end, PD.currency == self.currency)
            .group_by(name)
            .order_by(revenue.desc())
            .limit(limit)
        )
        return [Ranked(str(r[0]), str(r[0]), int(r[1]), int(r[2])) for r in rows]

    async def sales_by(self, dimension: str, start: date, end: date) -> list[Ranked]:
        key = S.country if dimension == "country" else S.channel
        gross = func.sum(S.gross).label("gross")
        rows = await self._rows(
            select(key, func.sum(S.orders), gross)
            .where(S.day >= start, S.day <= end, S.currency == self.currency)
            .group_by(key)
            .order_by(gross.desc())
        )
        return [Ranked(str(r[0]), str(r[0]) or "—", int(r[1]), int(r[2])) for r in rows]

    async def funnel(self, start: date, end: date) -> list[Ranked]:
        F = rollup_funnel_daily.c
        rows = await self._rows(
            select(F.step, func.sum(F.customers)).where(F.day >= start, F.day <= end).group_by(F.step)
        )
        counts = {str(r[0]): int(r[1]) for r in rows}
        return [Ranked(step, step, counts.get(step, 0), 0) for step in FUNNEL_STEPS]

    async def campaigns(self, start: date, end: date) -> list[tuple[Ranked, int]]:
        """Revenue per campaign with the messages it sent in the period: (campaign, messages).

        Messages are counted from the deliveries of the (at most 20) campaigns shown, not from a rollup."""
        K, Cp, D = rollup_campaign_daily.c, campaigns.c, campaign_deliveries.c
        gross = func.sum(K.gross).label("gross")
        rows = await self._rows(
            select(K.campaign_id, Cp.name, func.sum(K.orders), gross)
            .join(campaigns, Cp.id == K.campaign_id)
            .where(K.day >= start, K.day <= end, K.currency == self.currency)
            .group_by(K.campaign_id, Cp.name)
            .order_by(gross.desc())
            .limit(20)
        )
        ids = [r[0] for r in rows]
        lo = datetime.combine(start, time.min, tzinfo=UTC)
        hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
        sent = dict(
            (r[0], int(r[1]))
            for r in await self._rows(
                select(D.campaign_id, func.count())
                .where(D.campaign_id.in_(ids), D.state == "sent", D.sent_at >= lo, D.sent_at < hi)
                .group_by(D.campaign_id)
            )
        )
        return [(Ranked(str(r[0]), str(r[1]), int(r[2]), int(r[3])), sent.get(r[0], 0)) for r in rows]

    async def cohorts(self, since: date) -> list[CohortCell]:
        C = rollup_cohorts.c
        rows = await self._rows(
            select(C.cohort_month, C.month, C.customers)
            .where(C.cohort_month >= since)
            .order_by(C.cohort_month, C.month)
        )
        return [CohortCell(_date(r[0]), _date(r[1]), int(r[2])) for r in rows]
