"""Reorder sourcing and drafted batches in SQL (Core)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.adapters.orm_forecasting import reorder_batches, variant_sourcing
from domain.repositories import Sourcing

VS, RB = variant_sourcing.c, reorder_batches.c


class SqlReorderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def sourcing(self, variant_ids: Sequence[int]) -> dict[int, Sourcing]:
        if not variant_ids:
            return {}
        rows = await self.session.execute(select(variant_sourcing).where(VS.variant_id.in_(list(variant_ids))))
        return {int(r.variant_id): Sourcing(int(r.supplier_id), int(r.pack_size), int(r.unit_cost)) for r in rows}

    async def set_sourcing(self, variant_id: int, sourcing: Sourcing, at: datetime) -> None:
        values = {
            "supplier_id": sourcing.supplier_id,
            "pack_size": sourcing.pack_size,
            "unit_cost": sourcing.unit_cost,
            "updated_at": at,
        }
        found = (
            await self.session.execute(select(VS.variant_id).where(VS.variant_id == variant_id).with_for_update())
        ).first()
        if found is None:
            await self.session.execute(insert(variant_sourcing).values(values | {"variant_id": variant_id}))
        else:
            await self.session.execute(update(variant_sourcing).where(VS.variant_id == variant_id).values(values))

    async def batch(self, key: str) -> tuple[int, ...] | None:
        row = (await self.session.execute(select(RB.po_ids).where(RB.key == key))).first()
        return tuple(int(i) for i in row.po_ids) if row else None

    async def add_batch(self, key: str, po_ids: Sequence[int], actor: str, at: datetime) -> None:
        values = {"key": key, "po_ids": list(po_ids), "actor": actor, "created_at": at}
        await self.session.execute(insert(reorder_batches).values(values))
