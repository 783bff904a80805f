"""SQL behind ``domain.views.reorder``: each SKU × warehouse's available stock, its share of the SKU's stored
forecast, units on order and where it is bought, turned into suggestions by ``domain.reorder.suggest``.

The forecast is per SKU; a warehouse's share of it is the share of the SKU's paid units it has allocated
(reservations allocated or shipped), or an equal split where it has none yet. Units on open purchase orders
(draft, sent, partially received) are not addressed to a warehouse, so they are shared out the same way.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.orm_forecasting import demand_forecasts, variant_sourcing
from domain.adapters.orm_purchasing import purchase_order_lines, purchase_orders, suppliers
from domain.adapters.read_scope import read_rows
from domain.model.inventory import ReservationStatus
from domain.model.purchasing import POStatus
from domain.reorder import Z80, DayDemand, ReorderInput, Suggestion, suggest
from domain.views.reorder import ForecastPoint, RevenueForecastPoint

DF, VS, Su = demand_forecasts.c, variant_sourcing.c, suppliers.c
S, W, V, P, R = orm.stock_levels.c, orm.warehouses.c, orm.variants.c, orm.products.c, orm.reservations.c
L, PO = purchase_order_lines.c, purchase_orders.c
OPEN = (POStatus.DRAFT.value, POStatus.SENT.value, POStatus.PARTIALLY_RECEIVED.value)


class SqlReorderViews:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], service_level: float = 0.95, review_days: int = 14
    ) -> None:
        self.sessions = sessions
        self.service_level = service_level
        self.review_days = review_days

    async def _rows(self, stmt: Any) -> list[Any]:
        return await read_rows(self.sessions, stmt)

    async def suggestions(self) -> list[Suggestion]:
        forecast: dict[int, list[DayDemand]] = defaultdict(list)
        for r in await self._rows(select(DF.variant_id, DF.mean, DF.lo80, DF.hi80).order_by(DF.variant_id, DF.day)):
            forecast[int(r.variant_id)].append(DayDemand(float(r.mean), float(r.lo80), float(r.hi80)))
        if not forecast:
            return []
        stock = await self._rows(
            select(
                S.variant_id,
                S.warehouse_id,
                W.code,
                V.sku,
                P.name,
                (S.on_hand - S.reserved - S.allocated).label("available"),
            )
            .join(orm.warehouses, W.id == S.warehouse_id)
            .join(orm.variants, V.id == S.variant_id)
            .join(orm.products, P.id == V.product_id)
            .where(W.active.is_(True), V.active.is_(True))
            .order_by(V.sku, W.priority, W.code)
        )
        served = {
            (int(r.variant_id), int(r.warehouse_id)): int(r.units)
            for r in await self._rows(
                select(R.variant_id, R.warehouse_id, func.sum(R.quantity).label("units"))
                .where(R.status.in_([ReservationStatus.ALLOCATED, ReservationStatus.SHIPPED]))
                .group_by(R.variant_id, R.warehouse_id)
            )
        }
        on_order = {
            int(r.variant_id): int(r.units)
            for r in await self._rows(
                select(L.variant_id, func.sum(L.quantity - L.received).label("units"))
                .join(purchase_orders, PO.id == L.po_id)
                .where(PO.status.in_(OPEN))
                .group_by(L.variant_id)
            )
        }
        sources = {
            int(r.variant_id): r
            for r in await self._rows(
                select(VS.variant_id, VS.supplier_id, VS.pack_size, VS.unit_cost, Su.name, Su.lead_time_days)
                .add_columns(Su.currency)
                .join(suppliers, Su.id == VS.supplier_id)
            )
        }
        houses: dict[int, list[Any]] = defaultdict(list)
        for row in stock:
            if int(row.variant_id) in forecast:
                houses[int(row.variant_id)].append(row)
        out: list[Suggestion] = []
        for row in stock:
            vid = int(row.variant_id)
            if vid not in forecast:
                continue
            total = sum(served.get((vid, int(h.warehouse_id)), 0) for h in houses[vid])
            share = served.get((vid, int(row.warehouse_id)), 0) / total if total else 1 / len(houses[vid])
            days = tuple(DayDemand(d.mean * share, d.lo80 * share, d.hi80 * share) for d in forecast[vid])
            src = sources.get(vid)
            item = ReorderInput(
                vid,
                row.sku,
                row.name,
                row.code,
                int(row.available),
                round(on_order.get(vid, 0) * share),
                days,
                int(src.supplier_id) if src else None,
                src.name if src else "",
                int(src.lead_time_days) if src else None,
                int(src.pack_size) if src else 1,
                int(src.unit_cost) if src else 0,
                src.currency if src else "",
            )
            out.append(suggest(item, self.service_level, self.review_days))
        return out

    async def forecast_by_day(self) -> list[ForecastPoint]:
        """The band is the mean ± 1.2816 σ of the sum (days' SKUs taken as independent): summing the SKUs'
        own bounds would overstate it."""
        sigma = (DF.hi80 - DF.lo80) / (2 * Z80)
        rows = await self._rows(
            select(DF.day, func.sum(DF.mean), func.sum(sigma * sigma)).group_by(DF.day).order_by(DF.day)
        )
        points = []
        for day, mean, variance in rows:
            half = math.sqrt(max(0.0, float(variance or 0))) * Z80
            points.append(ForecastPoint(day, float(mean), max(0.0, float(mean) - half), float(mean) + half))
        return points

    async def forecast_revenue_by_day(self, currency: str) -> list[RevenueForecastPoint]:
        sigma = (DF.hi80 - DF.lo80) / (2 * Z80) * V.price
        rows = await self._rows(
            select(DF.day, func.sum(DF.mean * V.price), func.sum(sigma * sigma))
            .join(orm.variants, V.id == DF.variant_id)
            .where(V.currency == currency)
            .group_by(DF.day)
            .order_by(DF.day)
        )
        points = []
        for day, mean, variance in rows:
            half = math.sqrt(max(0.0, float(variance or 0))) * Z80
            m = float(mean or 0)
            points.append(RevenueForecastPoint(day, round(m), round(max(0.0, m - half)), round(m + half)))
        return points
