"""Stock views: a SKU's stock by warehouse, finding stock, low stock, ledger mismatches."""

from __future__ import annotations

from sqlalchemy import and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from domain.adapters import orm
from domain.adapters.sql_views.base import LIKE_ESCAPE, P, S, SqlViewsBase, V, W
from domain.views.models import (
    LedgerMismatch,
    StockRow,
    StockView,
)
from domain.views.stock import LowStock


class SqlStockViews(SqlViewsBase):
    """Stock levels as staff read them."""

    async def stock(self, sku: str) -> StockView | None:
        views = await self._stock_views(V.sku == sku.strip().upper())
        return views[0] if views else None

    async def find_stock(self, text: str, limit: int = 10) -> list[StockView]:
        exact = await self.stock(text)
        if exact is not None:
            return [exact]
        like = f"%{text.strip().lower().translate(LIKE_ESCAPE)}%"
        return (await self._stock_views(P.search_text.like(like, escape="\\")))[:limit]

    async def _stock_views(self, condition: ColumnElement[bool]) -> list[StockView]:
        variants = await self._rows(
            select(V.id, V.sku, V.options, V.low_stock_threshold, P.name)
            .join(orm.products, P.id == V.product_id)
            .where(condition)
            .order_by(V.sku)
            .limit(50)
        )
        if not variants:
            return []
        levels = await self._rows(
            select(S.variant_id, W.code, W.name, S.on_hand, S.reserved, S.allocated)
            .join(orm.warehouses, W.id == S.warehouse_id)
            .where(S.variant_id.in_([v.id for v in variants]))
            .order_by(W.priority, W.code)
        )
        out = []
        for v in variants:
            rows = tuple(
                StockRow(r.code, r.name, r.on_hand, r.reserved, r.allocated, r.on_hand - r.reserved - r.allocated)
                for r in levels
                if r.variant_id == v.id
            )
            out.append(StockView(v.sku, v.name, dict(v.options or {}), v.low_stock_threshold, rows))
        return out

    async def low_stock(self, limit: int = 20) -> LowStock:
        """Every active variant whose stock available in all warehouses is below its threshold (no stock
        rows at all: 0 available), emptiest first, then furthest below its threshold."""
        per_variant = (
            select(S.variant_id, func.sum(S.on_hand - S.reserved - S.allocated).label("available"))
            .group_by(S.variant_id)
            .subquery()
        )
        available = func.coalesce(per_variant.c.available, 0)
        low = (
            select(V.id, V.sku, V.options, V.low_stock_threshold, P.name, available.label("available"))
            .join(orm.products, P.id == V.product_id)
            .outerjoin(per_variant, per_variant.c.variant_id == V.id)
            .where(V.active.is_(True), P.status == "active", available < V.low_stock_threshold)
        )
        total = int((await self._rows(select(func.count()).select_from(low.subquery())))[0][0])
        variants = await self._rows(
            low.order_by(available, (available - V.low_stock_threshold), V.sku).limit(max(0, limit))
        )
        if not variants:
            return LowStock(total, ())
        levels = await self._rows(
            select(S.variant_id, W.code, W.name, S.on_hand, S.reserved, S.allocated)
            .join(orm.warehouses, W.id == S.warehouse_id)
            .where(S.variant_id.in_([v.id for v in variants]))
            .order_by(W.priority, W.code)
        )
        items = tuple(
            StockView(
                v.sku,
                v.name,
                dict(v.options or {}),
                v.low_stock_threshold,
                tuple(
                    StockRow(r.code, r.name, r.on_hand, r.reserved, r.allocated, r.on_hand - r.reserved - r.allocated)
                    for r in levels
                    if r.variant_id == v.id
                ),
            )
            for v in variants
        )
        return LowStock(total, items)

    async def ledger_mismatches(self) -> list[LedgerMismatch]:
        M = orm.stock_movements.c
        ledger = (
            select(
                M.variant_id,
                M.warehouse_id,
                func.sum(M.d_on_hand).label("on_hand"),
                func.sum(M.d_reserved).label("reserved"),
                func.sum(M.d_allocated).label("allocated"),
            )
            .group_by(M.variant_id, M.warehouse_id)
            .subquery()
        )
        rows = await self._rows(
            select(
                V.sku,
                W.code,
                S.on_hand,
                S.reserved,
                S.allocated,
                func.coalesce(ledger.c.on_hand, 0),
                func.coalesce(ledger.c.reserved, 0),
                func.coalesce(ledger.c.allocated, 0),
            )
            .select_from(orm.stock_levels)
            .join(orm.variants, V.id == S.variant_id)
            .join(orm.warehouses, W.id == S.warehouse_id)
            .outerjoin(ledger, and_(ledger.c.variant_id == S.variant_id, ledger.c.warehouse_id == S.warehouse_id))
        )
        out = []
        for r in rows:
            for i, name in enumerate(("on_hand", "reserved", "allocated")):
                if int(r[2 + i]) != int(r[5 + i]):
                    out.append(LedgerMismatch(r[0], r[1], name, int(r[2 + i]), int(r[5 + i])))
        return out
