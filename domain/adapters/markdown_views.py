"""SQL behind ``domain.markdowns``: each active SKU's available stock over all warehouses and its units in paid
orders over the last 28 days (one statement each)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from domain.adapters import orm
from domain.adapters.db import Sessions
from domain.markdowns import WINDOW_DAYS, StockPosition
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
