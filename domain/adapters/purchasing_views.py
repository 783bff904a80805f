"""SQL behind ``domain.views.purchasing``: suppliers, purchase orders, valuation, pick lists and packing slips."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.orm_purchasing import (
    bin_locations,
    purchase_order_lines,
    purchase_orders,
    purchase_receipts,
    stock_costs,
    suppliers,
)
from domain.adapters.read_scope import read_rows
from domain.errors import ValidationFailed
from domain.model.inventory import ReservationStatus
from domain.model.purchasing import reference
from domain.views.purchasing import (
    PackingSlip,
    Parcel,
    PickItem,
    PickList,
    PurchaseOrderDetail,
    PurchaseOrderFilter,
    PurchaseOrderLineRow,
    PurchaseOrderRow,
    ReadyOrder,
    ReceiptRow,
    SlipLine,
    SupplierRow,
    ValuationRow,
    WarehouseOption,
    WarehouseValuation,
    pick_rows,
)

PO, L, RC, Su = purchase_orders.c, purchase_order_lines.c, purchase_receipts.c, suppliers.c
B, SC = bin_locations.c, stock_costs.c
R, V, W, P, S, OL = (
    orm.reservations.c,
    orm.variants.c,
    orm.warehouses.c,
    orm.products.c,
    orm.stock_levels.c,
    orm.order_lines.c,
)


def _bin_of(variant: Any, warehouse: Any) -> Any:
    return select(B.bin).where(B.variant_id == variant, B.warehouse_id == warehouse).scalar_subquery().label("bin")


def _line_name() -> Any:
    """The name the order's line kept at checkout ("Stride Running Shoes (red / 42)")."""
    return (
        select(func.min(OL.name))
        .where(OL.order_id == R.order_id, OL.variant_id == R.variant_id)
        .scalar_subquery()
        .label("name")
    )


class SqlPurchasingViews:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def _rows(self, stmt: Any) -> list[Any]:
        return await read_rows(self.sessions, stmt)

    async def suppliers(self) -> list[SupplierRow]:
        rows = await self._rows(select(suppliers).order_by(func.lower(Su.name), Su.id))
        return [SupplierRow(r.id, r.name, r.contact, r.lead_time_days, r.currency) for r in rows]

    def _po_select(self) -> Any:
        totals = (
            select(
                L.po_id,
                func.sum(L.quantity * L.unit_cost).label("total_cost"),
                func.sum(L.quantity).label("units_ordered"),
                func.sum(L.received).label("units_received"),
            )
            .group_by(L.po_id)
            .subquery()
        )
        return (
            select(purchase_orders, Su.name.label("supplier_name"), totals)
            .join(suppliers, Su.id == PO.supplier_id)
            .join(totals, totals.c.po_id == PO.id)
        )

    @staticmethod
    def _po_row(r: Any) -> PurchaseOrderRow:
        return PurchaseOrderRow(
            id=r.id,
            ref=reference(r.id),
            supplier_id=r.supplier_id,
            supplier_name=r.supplier_name,
            currency=r.currency,
            status=r.status,
            expected_on=r.expected_on,
            total_cost=int(r.total_cost),
            units_ordered=int(r.units_ordered),
            units_received=int(r.units_received),
            created_by=r.created_by,
            created_at=r.created_at,
            updated_at=r.updated_at,
        )

    async def purchase_orders(self, status: str | None, limit: int = 200) -> list[PurchaseOrderRow]:
        stmt = self._po_select()
        if status:
            stmt = stmt.where(PO.status == status)
        rows = await self._rows(stmt.order_by(PO.id.desc()).limit(limit))
        return [self._po_row(r) for r in rows]

    async def supplier(self, supplier_id: int) -> SupplierRow | None:
        rows = await self._rows(select(suppliers).where(Su.id == supplier_id))
        return (
            SupplierRow(rows[0].id, rows[0].name, rows[0].contact, rows[0].lead_time_days, rows[0].currency)
            if rows
            else None
        )

    async def supplier_page(self, limit: int, after_id: int | None) -> list[SupplierRow]:
        stmt = select(suppliers).order_by(Su.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(Su.id > after_id)
        return [SupplierRow(r.id, r.name, r.contact, r.lead_time_days, r.currency) for r in await self._rows(stmt)]

    async def purchase_order_page(
        self, filters: PurchaseOrderFilter, limit: int, after: tuple[str, int] | None
    ) -> list[PurchaseOrderRow]:
        stmt = self._po_select()
        if filters.status:
            stmt = stmt.where(PO.status == filters.status)
        if filters.supplier_id is not None:
            stmt = stmt.where(PO.supplier_id == filters.supplier_id)
        if filters.updated_since is not None:
            stmt = stmt.where(PO.updated_at >= filters.updated_since).order_by(PO.updated_at, PO.id)
            if after is not None:
                try:
                    at = datetime.fromisoformat(after[0])
                except ValueError as exc:
                    raise ValidationFailed("The cursor is not one this API gave out.") from exc
                stmt = stmt.where(or_(PO.updated_at > at, and_(PO.updated_at == at, PO.id > after[1])))
        else:
            stmt = stmt.order_by(PO.id.desc())
            if after is not None:
                stmt = stmt.where(PO.id < after[1])
        return [self._po_row(r) for r in await self._rows(stmt.limit(limit))]

    async def purchase_order(self, po_id: int) -> PurchaseOrderDetail | None:
        found = await self._rows(self._po_select().where(PO.id == po_id))
        if not found:
            return None
        lines = await self._rows(
            select(L.id, L.sku, P.name, L.quantity, L.received, L.unit_cost)
            .join(orm.variants, V.id == L.variant_id)
            .join(orm.products, P.id == V.product_id)
            .where(L.po_id == po_id)
            .order_by(L.id)
        )
        receipts = await self._rows(
            select(L.sku, W.code, RC.bin, RC.quantity, RC.unit_cost, RC.actor, RC.created_at)
            .join(purchase_order_lines, L.id == RC.line_id)
            .join(orm.warehouses, W.id == RC.warehouse_id)
            .where(RC.po_id == po_id)
            .order_by(RC.id)
        )
        return PurchaseOrderDetail(
            po=self._po_row(found[0]),
            note=found[0].note,
            lines=tuple(PurchaseOrderLineRow(*row) for row in lines),
            receipts=tuple(ReceiptRow(*row) for row in receipts),
        )

    async def warehouses(self) -> list[WarehouseOption]:
        rows = await self._rows(select(W.code, W.name).where(W.active.is_(True)).order_by(W.priority, W.code))
        return [WarehouseOption(r.code, r.name) for r in rows]

    async def valuation(self) -> list[WarehouseValuation]:
        rows = await self._rows(
            select(W.code, W.name.label("warehouse_name"), V.sku, P.name, S.on_hand, SC.currency, SC.unit_cost)
            .add_columns(_bin_of(S.variant_id, S.warehouse_id))
            .select_from(orm.stock_levels)
            .join(orm.warehouses, W.id == S.warehouse_id)
            .join(orm.variants, V.id == S.variant_id)
            .join(orm.products, P.id == V.product_id)
            .outerjoin(stock_costs, and_(SC.variant_id == S.variant_id, SC.warehouse_id == S.warehouse_id))
            .where(W.active.is_(True), S.on_hand != 0)
            .order_by(W.priority, W.code, V.sku)
        )
        names = {w.code: w.name for w in await self.warehouses()}
        by_warehouse: dict[str, list[ValuationRow]] = {code: [] for code in names}
        for r in rows:
            cost = int(r.unit_cost or 0)
            value = max(r.on_hand, 0) * cost
            row = ValuationRow(r.sku, r.name, r.bin or "", r.on_hand, r.currency or "", cost, value)
            by_warehouse.setdefault(r.code, []).append(row)
        result = []
        for code, found in by_warehouse.items():
            totals: dict[str, int] = {}
            for row in found:
                if row.currency:
                    totals[row.currency] = totals.get(row.currency, 0) + row.value
            unvalued = sum(max(row.on_hand, 0) for row in found if not row.currency)
            result.append(
                WarehouseValuation(code, names.get(code, code), tuple(found), tuple(sorted(totals.items())), unvalued)
            )
        return result

    async def _warehouse(self, code: str) -> Any:
        found = await self._rows(select(W.id, W.code, W.name).where(W.code == code.strip().upper()))
        return found[0] if found else None

    async def pick_list(self, warehouse: str, order_ids: list[int]) -> PickList | None:
        house = await self._warehouse(warehouse)
        if house is None:
            return None
        wanted = sorted(set(order_ids))
        rows = await self._rows(
            select(R.order_id, V.sku, _line_name(), _bin_of(R.variant_id, R.warehouse_id), R.quantity)
            .join(orm.variants, V.id == R.variant_id)
            .where(
                R.warehouse_id == house.id,
                R.order_id.in_(wanted),
                R.status == ReservationStatus.ALLOCATED,
            )
            .order_by(R.order_id, R.id)
        )
        items = [PickItem(r.order_id, r.sku, r.name or r.sku, r.bin or "", int(r.quantity)) for r in rows]
        picked = sorted({item.order_id for item in items})
        skipped = tuple(oid for oid in wanted if oid not in picked)
        return PickList(house.code, house.name, tuple(picked), skipped, pick_rows(items))

    async def packing_slip(self, order_id: int, warehouse: str | None = None) -> PackingSlip | None:
        Ord, Cu = orm.orders.c, orm.customers.c
        found = await self._rows(
            select(Ord.id, Ord.placed_at, Ord.status, Ord.shipping_method, Ord.shipping_address, Cu.name)
            .join(orm.customers, Cu.id == Ord.customer_id)
            .where(Ord.id == order_id)
        )
        if not found:
            return None
        order = found[0]
        stmt = (
            select(W.code, W.name.label("warehouse_name"), V.sku, _line_name(), _bin_of(R.variant_id, R.warehouse_id))
            .add_columns(R.quantity)
            .join(orm.variants, V.id == R.variant_id)
            .join(orm.warehouses, W.id == R.warehouse_id)
            .where(R.order_id == order_id, R.status.in_((ReservationStatus.ALLOCATED, ReservationStatus.SHIPPED)))
            .order_by(W.priority, W.code, R.id)
        )
        if warehouse:
            stmt = stmt.where(W.code == warehouse.strip().upper())
        parcels: dict[str, tuple[str, list[SlipLine]]] = {}
        for r in await self._rows(stmt):
            parcels.setdefault(r.code, (r.warehouse_name, []))[1].append(
                SlipLine(r.sku, r.name or r.sku, r.bin or "", int(r.quantity))
            )
        address = {str(k): str(v) for k, v in dict(order.shipping_address or {}).items()}
        return PackingSlip(
            order_id=order.id,
            placed_at=order.placed_at,
            status=str(order.status),
            customer_name=order.name or "",
            shipping_method=order.shipping_method,
            address=address,
            parcels=tuple(Parcel(code, name, tuple(lines)) for code, (name, lines) in parcels.items()),
        )

    async def ready_to_pick(self, warehouse: str, limit: int = 200) -> list[ReadyOrder]:
        Ord, Cu = orm.orders.c, orm.customers.c
        units = func.sum(R.quantity).label("units")
        rows = await self._rows(
            select(Ord.id, Ord.status, Cu.name, units, Ord.placed_at)
            .select_from(orm.reservations)
            .join(orm.orders, Ord.id == R.order_id)
            .join(orm.customers, Cu.id == Ord.customer_id)
            .join(orm.warehouses, W.id == R.warehouse_id)
            .where(W.code == warehouse.strip().upper(), R.status == ReservationStatus.ALLOCATED)
            .group_by(Ord.id, Ord.status, Cu.name, Ord.placed_at)
            .order_by(Ord.id)
            .limit(limit)
        )
        return [ReadyOrder(r.id, str(r.status), r.name or "", int(r.units), r.placed_at) for r in rows]

    async def bins(self, variant_ids: list[int]) -> dict[tuple[int, int], str]:
        rows = await self._rows(
            select(B.variant_id, B.warehouse_id, B.bin).where(B.variant_id.in_(sorted(set(variant_ids))))
        )
        return {(r.variant_id, r.warehouse_id): r.bin for r in rows}
