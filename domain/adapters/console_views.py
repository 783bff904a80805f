"""SQL behind ``domain.views.console``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.orm_console_more import order_events
from domain.adapters.orm_purchasing import bin_locations
from domain.adapters.read_scope import read_rows
from domain.views.console import (
    ConsentRow,
    CustomerExtras,
    LedgerEntry,
    LedgerFilter,
    QueueRow,
    StockBoardRow,
    TicketRow,
    TimelineEntry,
)

S, W, M, V, P = orm.stock_levels.c, orm.warehouses.c, orm.stock_movements.c, orm.variants.c, orm.products.c
E = order_events.c
B = bin_locations.c
_LIKE_ESCAPE = str.maketrans({"%": r"\%", "_": r"\_", "\\": r"\\"})


class SqlConsoleViews:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def _rows(self, stmt: Any) -> list[Any]:
        return await read_rows(self.sessions, stmt)

    async def order_timeline(self, order_id: int) -> list[TimelineEntry]:
        # By time, then id: the rows migration 0025 rebuilt for old orders come after later real ones by id.
        stmt = (
            select(E.occurred_at, E.name, E.actor, E.payload)
            .where(E.order_id == order_id)
            .order_by(E.occurred_at, E.id)
        )
        return [TimelineEntry(r[0], r[1], r[2], dict(r[3] or {})) for r in await self._rows(stmt)]

    async def stock_board(
        self, sku: str | None, warehouse: str | None, limit: int, bin: str | None = None, sort: str = "low"
    ) -> list[StockBoardRow]:
        everywhere = orm.stock_levels.alias("everywhere")
        total = (
            select(func.coalesce(func.sum(everywhere.c.on_hand - everywhere.c.reserved - everywhere.c.allocated), 0))
            .where(everywhere.c.variant_id == S.variant_id)
            .scalar_subquery()
        )
        stmt = (
            select(V.sku, P.name, W.code, S.on_hand, S.reserved, S.allocated, V.low_stock_threshold, total, B.bin)
            .join(orm.variants, V.id == S.variant_id)
            .join(orm.products, P.id == V.product_id)
            .join(orm.warehouses, W.id == S.warehouse_id)
            .outerjoin(bin_locations, and_(B.variant_id == S.variant_id, B.warehouse_id == S.warehouse_id))
        )
        if sku:
            like = f"%{sku.strip().upper().translate(_LIKE_ESCAPE)}%"
            stmt = stmt.where(V.sku.like(like, escape="\\"))
        if warehouse:
            stmt = stmt.where(W.code == warehouse.strip().upper())
        if bin:
            stmt = stmt.where(B.bin.like(f"{bin.strip().upper().translate(_LIKE_ESCAPE)}%", escape="\\"))
        if sort == "bin":
            stmt = stmt.order_by(case((B.bin.is_(None), 1), else_=0), B.bin, V.sku, W.code)
        elif sort == "sku":
            stmt = stmt.order_by(V.sku, W.code)
        else:  # the low-stock alert's rule (``is_low``): on the variant's total, below its threshold
            stmt = stmt.order_by(case((total < V.low_stock_threshold, 0), else_=1), total, V.sku, W.code)
        rows = await self._rows(stmt.limit(limit))
        return [
            StockBoardRow(r[0], r[1], r[2], r[3], r[4], r[5], r[3] - r[4] - r[5], r[6], int(r[7]), r[8] or "")
            for r in rows
        ]

    async def ledger(self, filters: LedgerFilter, limit: int) -> list[LedgerEntry]:
        stmt = (
            select(M.id, M.created_at, V.sku, W.code, M.kind, M.d_on_hand, M.d_reserved, M.d_allocated)
            .add_columns(M.reason, M.order_id, M.actor)
            .join(orm.variants, V.id == M.variant_id)
            .join(orm.warehouses, W.id == M.warehouse_id)
            .where(V.sku == filters.sku.strip().upper())
        )
        if filters.warehouse:
            stmt = stmt.where(W.code == filters.warehouse.strip().upper())
        if filters.kind:
            stmt = stmt.where(M.kind == filters.kind)
        if filters.since is not None:
            stmt = stmt.where(M.created_at >= filters.since)
        rows = await self._rows(stmt.order_by(M.id.desc()).limit(limit))
        return [LedgerEntry(r[0], r[1], r[2], r[3], str(getattr(r[4], "value", r[4])), *r[5:]) for r in rows]

    async def warehouses(self) -> list[str]:
        return [r[0] for r in await self._rows(select(W.code).where(W.active.is_(True)).order_by(W.code))]

    async def customer_extras(self, customer_id: int) -> CustomerExtras | None:
        cu, co, t = orm.customers.c, orm.consent_entries.c, orm.support_tickets.c
        found = await self._rows(select(cu.notes).where(cu.id == customer_id))
        if not found:
            return None
        consents = await self._rows(
            select(co.purpose, co.granted, co.source, co.created_at)
            .where(co.customer_id == customer_id)
            .order_by(co.id.desc())
        )
        tickets = await self._rows(
            select(t.id, t.status, t.channel, t.subject, t.created_at, t.updated_at)
            .where(t.customer_id == customer_id)
            .order_by(t.updated_at.desc(), t.id.desc())
            .limit(100)
        )
        return CustomerExtras(
            found[0][0] or "",
            tuple(ConsentRow(str(getattr(r[0], "value", r[0])), bool(r[1]), r[2], r[3]) for r in consents),
            tuple(TicketRow(r[0], str(getattr(r[1], "value", r[1])), *r[2:]) for r in tickets),
        )

    async def support_queue(self, status: str | None, limit: int) -> list[QueueRow]:
        t, cu, m = orm.support_tickets.c, orm.customers.c, orm.support_messages.c
        last = select(m.text).where(m.ticket_id == t.id).order_by(m.id.desc()).limit(1).scalar_subquery()
        stmt = (
            select(t.id, t.status, t.channel, t.subject, t.customer_id, cu.name, t.assignee, t.updated_at)
            .add_columns(last.label("last_text"))
            .join(orm.customers, cu.id == t.customer_id)
        )
        if status is not None:
            stmt = stmt.where(t.status == status)
        rows = await self._rows(stmt.order_by(t.updated_at.desc(), t.id.desc()).limit(limit))
        return [
            QueueRow(r[0], str(getattr(r[1], "value", r[1])), r[2], r[3], r[4], r[5] or "", r[6], r[7], r[8] or "")
            for r in rows
        ]
