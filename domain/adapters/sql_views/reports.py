"""Report views over raw rows: customers by country, channel or locale.

Sales, best sellers and the funnel are read from the analytics rollups (``rollup_views``, through
``ShopViews.reports``) by the dashboard, Slack's reports, ``chatshop report`` and the REST API. The raw-row
versions below are kept only as what ``bench/report_1m.py`` measures the rollups against (and what tests compare
the rollups with); nothing in the shop reads them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, and_, cast, distinct, func, select

from domain.adapters import orm
from domain.adapters.sql_views.base import OL, Ord, P, SqlViewsBase, day_bounds
from domain.errors import ValidationFailed
from domain.views.models import (
    Breakdown,
    ChannelSales,
    DaySales,
    FunnelStep,
    SalesOverview,
    SalesSummary,
    TopProduct,
)


class SqlReportViews(SqlViewsBase):
    """Reports over raw orders and analytics events (see the module's docstring)."""

    # --- reports -----------------------------------------------------------------------------------
    def _day(self, column: Any, dialect: str) -> Any:
        return func.date(column) if dialect == "sqlite" else cast(column, Date)

    async def _dialect(self) -> str:
        async with self._session() as session:
            return (await session.connection()).dialect.name

    async def sales(self, start: date, end: date) -> SalesSummary:
        lo, hi = day_bounds(start, end)
        day = self._day(Ord.paid_at, await self._dialect()).label("day")
        rows = await self._rows(
            select(day, func.count(), func.sum(Ord.total), func.sum(Ord.captured - Ord.refunded))
            .where(Ord.paid_at >= lo, Ord.paid_at < hi, Ord.currency == self.currency)
            .group_by(day)
            .order_by(day)
        )
        days = tuple(
            DaySales(
                r[0] if isinstance(r[0], date) else date.fromisoformat(str(r[0])),
                int(r[1]),
                int(r[2] or 0),
                int(r[3] or 0),
            )
            for r in rows
        )
        return SalesSummary(
            self.currency, days, sum(d.orders for d in days), sum(d.gross for d in days), sum(d.net for d in days)
        )

    async def top_products(self, start: date, end: date, limit: int = 10) -> list[TopProduct]:
        lo, hi = day_bounds(start, end)
        units = func.sum(OL.quantity).label("units")
        rows = await self._rows(
            select(OL.product_id, P.name, units, func.sum(OL.unit_price * OL.quantity - OL.discount))
            .join(orm.orders, Ord.id == OL.order_id)
            .join(orm.products, P.id == OL.product_id)
            .where(Ord.paid_at >= lo, Ord.paid_at < hi)
            .group_by(OL.product_id, P.name)
            .order_by(units.desc(), P.name)
            .limit(limit)
        )
        return [TopProduct(r[0], r[1], int(r[2]), int(r[3] or 0)) for r in rows]

    async def funnel(self, start: date, end: date) -> list[FunnelStep]:
        """Distinct customers reaching each step in the window."""
        lo, hi = day_bounds(start, end)
        await self._analytics_written()
        A = orm.analytics_events.c
        steps = [
            "message_received",
            "product_viewed",
            "added_to_cart",
            "checkout_started",
            "order_placed",
            "order_paid",
        ]
        rows = await self._rows(
            select(A.name, func.count(distinct(A.customer_id)))
            .where(A.occurred_at >= lo, A.occurred_at < hi, A.name.in_(steps), A.customer_id.is_not(None))
            .group_by(A.name)
        )
        counts = {r[0]: int(r[1]) for r in rows}
        return [FunnelStep(s, counts.get(s, 0)) for s in steps]

    async def sales_overview(self, start: datetime, end: datetime) -> SalesOverview:
        paid = and_(Ord.paid_at >= start, Ord.paid_at < end, Ord.currency == self.currency)
        totals = (
            await self._rows(
                select(
                    func.count(),
                    func.sum(Ord.total),
                    func.sum(Ord.captured - Ord.refunded),
                    func.count(distinct(Ord.customer_id)),
                ).where(paid)
            )
        )[0]
        # Returning (as Shopify counts it): a buyer of the window with more than one paid order up to its end.
        per_buyer = (
            select(func.count().label("n"))
            .where(
                Ord.paid_at.is_not(None),
                Ord.paid_at < end,
                Ord.currency == self.currency,
                Ord.customer_id.in_(select(Ord.customer_id).where(paid)),
            )
            .group_by(Ord.customer_id)
            .subquery()
        )
        returning = (await self._rows(select(func.count()).select_from(per_buyer).where(per_buyer.c.n > 1)))[0][0]
        gross = func.sum(Ord.total)
        channels = await self._rows(
            select(Ord.channel, func.count(), gross).where(paid).group_by(Ord.channel).order_by(gross.desc())
        )
        await self._analytics_written()
        A = orm.analytics_events.c
        steps = await self._rows(
            select(A.name, func.count(distinct(A.customer_id)))
            .where(
                A.occurred_at >= start,
                A.occurred_at < end,
                A.name.in_(("message_received", "order_paid")),
                A.customer_id.is_not(None),
            )
            .group_by(A.name)
        )
        reached = {r[0]: int(r[1]) for r in steps}
        return SalesOverview(
            self.currency,
            int(totals[0]),
            int(totals[1] or 0),
            int(totals[2] or 0),
            int(totals[3]),
            int(returning or 0),
            reached.get("message_received", 0),
            reached.get("order_paid", 0),
            tuple(ChannelSales(str(r[0]), int(r[1]), int(r[2] or 0)) for r in channels),
        )

    async def top_products_by_revenue(self, start: date, end: date, limit: int = 10) -> list[TopProduct]:
        lo, hi = day_bounds(start, end)
        revenue = func.sum(OL.unit_price * OL.quantity - OL.discount).label("revenue")
        rows = await self._rows(
            select(OL.product_id, P.name, func.sum(OL.quantity), revenue)
            .join(orm.orders, Ord.id == OL.order_id)
            .join(orm.products, P.id == OL.product_id)
            .where(Ord.paid_at >= lo, Ord.paid_at < hi, Ord.currency == self.currency)
            .group_by(OL.product_id, P.name)
            .order_by(revenue.desc(), P.name)
            .limit(limit)
        )
        return [TopProduct(r[0], r[1], int(r[2]), int(r[3] or 0)) for r in rows]

    async def customers_by(self, dimension: str) -> list[Breakdown]:
        cu = orm.customers.c
        active = and_(cu.merged_into_id.is_(None), cu.anonymised_at.is_(None))
        if dimension == "country":
            key = func.coalesce(cu.country, "unknown")
            rows = await self._rows(select(key, func.count()).where(active).group_by(key).order_by(func.count().desc()))
        elif dimension == "channel":
            Ident = orm.channel_identities.c
            rows = await self._rows(
                select(Ident.channel, func.count(distinct(Ident.customer_id)))
                .group_by(Ident.channel)
                .order_by(Ident.channel)
            )
        elif dimension == "locale":
            rows = await self._rows(select(cu.locale, func.count()).where(active).group_by(cu.locale))
        else:
            raise ValidationFailed("Break customers down by country, channel or locale.")
        return [Breakdown(str(r[0]), int(r[1])) for r in rows]
