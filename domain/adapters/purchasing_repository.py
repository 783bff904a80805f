"""Purchasing in SQL (Core): suppliers, purchase orders with their lines, receipts, bins, average costs and the
record of printed paperwork. Models are rebuilt from rows and written back field by field."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.adapters import orm
from domain.adapters.orm_purchasing import (
    bin_locations,
    order_documents,
    purchase_order_lines,
    purchase_orders,
    purchase_receipts,
    stock_costs,
    suppliers,
)
from domain.model.purchasing import POLine, POStatus, PurchaseOrder, Receipt, StockCost, Supplier

PO, L, B, SC = purchase_orders.c, purchase_order_lines.c, bin_locations.c, stock_costs.c


def _supplier(row: Any) -> Supplier:
    supplier = Supplier(row.name, row.contact, row.lead_time_days, row.currency, row.created_at)
    supplier.id = row.id
    return supplier


class SqlPurchasingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _one(self, stmt: Any) -> Any:
        return (await self.session.execute(stmt)).first()

    async def _insert(self, stmt: Any) -> int:
        return int((await self.session.execute(stmt)).scalar_one())

    async def add_supplier(self, supplier: Supplier) -> int:
        values = {k: getattr(supplier, k) for k in ("name", "contact", "lead_time_days", "currency", "created_at")}
        supplier.id = await self._insert(insert(suppliers).values(values).returning(suppliers.c.id))
        return supplier.id

    async def supplier(self, supplier_id: int) -> Supplier | None:
        row = await self._one(select(suppliers).where(suppliers.c.id == supplier_id))
        return _supplier(row) if row else None

    async def add_po(self, po: PurchaseOrder) -> int:
        values = {
            k: getattr(po, k)
            for k in ("supplier_id", "currency", "expected_on", "note", "created_by", "created_at", "updated_at")
        }
        values["status"] = po.status.value
        po.id = await self._insert(insert(purchase_orders).values(values).returning(PO.id))
        for line in po.lines:
            row = {"po_id": po.id, "variant_id": line.variant_id, "sku": line.sku, "quantity": line.quantity}
            row |= {"unit_cost": line.unit_cost, "received": line.received}
            line.id = await self._insert(insert(purchase_order_lines).values(row).returning(L.id))
        return po.id

    async def po(self, po_id: int, lock: bool = False) -> PurchaseOrder | None:
        stmt = select(purchase_orders).where(PO.id == po_id)
        row = await self._one(stmt.with_for_update() if lock else stmt)
        if row is None:
            return None
        found = await self.session.execute(select(purchase_order_lines).where(L.po_id == po_id).order_by(L.id))
        lines = [POLine(r.variant_id, r.sku, r.quantity, r.unit_cost, r.received, r.id) for r in found]
        po = PurchaseOrder(
            row.supplier_id, row.currency, lines, row.expected_on, row.created_by, row.created_at, row.note
        )
        po.id, po.status, po.updated_at = row.id, POStatus(row.status), row.updated_at
        return po

    async def save_po(self, po: PurchaseOrder) -> None:
        await self.session.execute(
            update(purchase_orders).where(PO.id == po.id).values(status=po.status.value, updated_at=po.updated_at)
        )
        for line in po.lines:
            await self.session.execute(
                update(purchase_order_lines).where(L.id == line.id).values(received=line.received)
            )

    async def add_receipts(
        self, po_id: int, warehouse_id: int, bin_code: str, receipts: list[Receipt], actor: str, at: datetime
    ) -> None:
        rows = [
            {
                "po_id": po_id,
                "line_id": r.line_id,
                "variant_id": r.variant_id,
                "warehouse_id": warehouse_id,
                "bin": bin_code,
                "quantity": r.quantity,
                "unit_cost": r.unit_cost,
                "actor": actor,
                "created_at": at,
            }
            for r in receipts
        ]
        await self.session.execute(insert(purchase_receipts), rows)

    async def set_bin(self, variant_id: int, warehouse_id: int, bin_code: str, at: datetime) -> None:
        where = (B.variant_id == variant_id) & (B.warehouse_id == warehouse_id)
        found = await self._one(select(B.id).where(where).with_for_update())
        if found is None:
            row = {"variant_id": variant_id, "warehouse_id": warehouse_id, "bin": bin_code, "updated_at": at}
            await self.session.execute(insert(bin_locations).values(row))
        else:
            await self.session.execute(
                update(bin_locations).where(B.id == found.id).values(bin=bin_code, updated_at=at)
            )

    async def cost(self, variant_id: int, warehouse_id: int) -> StockCost | None:
        """Read under the stock row's lock (the caller holds it), so no second lock is needed."""
        where = (SC.variant_id == variant_id) & (SC.warehouse_id == warehouse_id)
        row = await self._one(select(SC.currency, SC.unit_cost).where(where))
        return StockCost(variant_id, warehouse_id, row.currency, row.unit_cost) if row else None

    async def save_cost(self, cost: StockCost, at: datetime, new: bool) -> None:
        if new:
            row = {"variant_id": cost.variant_id, "warehouse_id": cost.warehouse_id, "currency": cost.currency}
            await self.session.execute(
                insert(stock_costs).values(row | {"unit_cost": cost.unit_cost, "updated_at": at})
            )
            return
        where = (SC.variant_id == cost.variant_id) & (SC.warehouse_id == cost.warehouse_id)
        await self.session.execute(update(stock_costs).where(where).values(unit_cost=cost.unit_cost, updated_at=at))

    async def existing_orders(self, order_ids: list[int]) -> list[int]:
        found = await self.session.execute(select(orm.orders.c.id).where(orm.orders.c.id.in_(order_ids)))
        return sorted(int(r[0]) for r in found)

    async def record_documents(
        self, order_ids: list[int], document: str, warehouse: str, actor: str, at: datetime
    ) -> None:
        rows = [
            {"order_id": oid, "document": document, "warehouse": warehouse, "actor": actor, "created_at": at}
            for oid in order_ids
        ]
        await self.session.execute(insert(order_documents), rows)
