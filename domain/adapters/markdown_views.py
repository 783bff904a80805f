"""SQL behind ``domain.markdowns``: each active SKU's available stock over all warehouses and its units in paid
orders over the last 28 days (one statement each), and its expected daily units from the stored forecast."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, select

from domain.adapters import orm
from domain.adapters.db import Sessions
from domain.adapters.orm_forecasting import demand_forecasts
from domain.markdowns import WINDOW_DAYS, StockPosition, trailing_velocity
from domain.model.orders import OrderStatus
from domain.ports import Clock

V, P, SL, OL, Od = orm.variants.c, orm.products.c, orm.stock_levels.c, orm.order_lines.c, orm.orders.c


class SqlStockPositions:
    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    async def positions(self) -> list[StockPosition]:
        since = self.clock.now() - timedelta(days=WINDOW_DAYS)
        available = (
            select(SL.variant_id, func.sum(SL.on_hand - SL.reserved - SL.allocated).label("available"))
            .group_by(SL.variant_id)
            .subquery()
        )
        sold = (
            select(OL.variant_id, func.sum(OL.quantity).label("sold"))
            .join(orm.orders, Od.id == OL.order_id)
            .where(Od.paid_at >= since, Od.status != OrderStatus.CANCELLED)
            .group_by(OL.variant_id)
            .subquery()
        )
        stmt = (
            select(
                V.id,
                V.sku,
                P.name,
                func.coalesce(available.c.available, 0),
                func.coalesce(sold.c.sold, 0),
                V.price,
                V.currency,
            )
            .join(orm.products, P.id == V.product_id)
            .outerjoin(available, available.c.variant_id == V.id)
            .outerjoin(sold, sold.c.variant_id == V.id)
            .where(V.active.is_(True))
            .order_by(V.sku)
        )
        async with self.sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [StockPosition(int(r[0]), r[1], r[2], int(r[3]), int(r[4]), int(r[5]), r[6]) for r in rows]


class ForecastDemand:
    """``DemandSource`` from the latest stored demand forecast (the mean of its daily means over the days it
    covers from today), falling back to trailing velocity for SKUs the forecast run did not cover (new since the
    run, or no run yet): days of cover then look ahead, as the reorder suggestions do."""

    def __init__(self, sessions: Sessions, clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    async def daily_units(self, positions: Sequence[StockPosition]) -> dict[int, float]:
        daily = trailing_velocity(positions)
        ids = [p.variant_id for p in positions]
        if not ids:
            return daily
        F = demand_forecasts.c
        stmt = (
            select(F.variant_id, func.avg(F.mean))
            .where(F.variant_id.in_(ids), F.day >= self.clock.now().date())
            .group_by(F.variant_id)
        )
        async with self.sessions() as session:
            for variant_id, mean in (await session.execute(stmt)).all():
                if mean is not None:
                    daily[int(variant_id)] = max(float(mean), 0.0)
        return daily
