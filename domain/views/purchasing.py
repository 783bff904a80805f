"""Read views of purchasing and the warehouse's paperwork: plain dataclasses, SQL in
``domain.adapters.purchasing_views``. The pick list's merge and order are a pure function here (``pick_rows``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class SupplierRow:
    id: int
    name: str
    contact: str
    lead_time_days: int
    currency: str


@dataclass(frozen=True)
class PurchaseOrderRow:
    id: int
    ref: str
    supplier_id: int
    supplier_name: str
    currency: str
    status: str
    expected_on: date | None
    total_cost: int  # minor units: ordered quantity × unit cost over the lines
    units_ordered: int
    units_received: int
    created_by: str
    created_at: datetime
    updated_at: datetime | None = None  # last change of state (sent, received, cancelled)


@dataclass(frozen=True)
class PurchaseOrderFilter:
    """The admin API's list: by state, supplier, changed since (then oldest change first, for a sync)."""

    status: str | None = None
    supplier_id: int | None = None
    updated_since: datetime | None = None


@dataclass(frozen=True)
class PurchaseOrderLineRow:
    id: int
    sku: str
    name: str
    quantity: int
    received: int
    unit_cost: int

    @property
    def outstanding(self) -> int:
        return self.quantity - self.received


@dataclass(frozen=True)
class ReceiptRow:
    sku: str
    warehouse: str
    bin: str
    quantity: int
    unit_cost: int
    actor: str
    at: datetime


@dataclass(frozen=True)
class PurchaseOrderDetail:
    po: PurchaseOrderRow
    note: str
    lines: tuple[PurchaseOrderLineRow, ...]
    receipts: tuple[ReceiptRow, ...]


@dataclass(frozen=True)
class WarehouseOption:
    code: str
    name: str


@dataclass(frozen=True)
class ValuationRow:
    sku: str
    name: str
    bin: str
    on_hand: int
    currency: str  # "" when the stock has no cost yet (never received against a purchase order)
    unit_cost: int  # weighted average, minor units
    value: int  # on hand × unit cost (nothing for units below zero)


@dataclass(frozen=True)
class WarehouseValuation:
    code: str
    name: str
    rows: tuple[ValuationRow, ...]
    totals: tuple[tuple[str, int], ...]  # (currency, value) per currency
    unvalued_units: int  # on hand without a cost


@dataclass(frozen=True)
class PickItem:
    """One order's allocated units of one SKU in the warehouse being picked."""

    order_id: int
    sku: str
    name: str
    bin: str
    quantity: int


@dataclass(frozen=True)
class PickRow:
    sku: str
    name: str
    bin: str
    quantity: int
    order_ids: tuple[int, ...]


@dataclass(frozen=True)
class PickList:
    warehouse: str
    warehouse_name: str
    order_ids: tuple[int, ...]  # the orders with something to pick here
    skipped: tuple[int, ...]  # asked for, but nothing allocated to them in this warehouse
    rows: tuple[PickRow, ...]

    @property
    def units(self) -> int:
        return sum(row.quantity for row in self.rows)


def pick_rows(items: list[PickItem]) -> tuple[PickRow, ...]:
    """Merge the orders' units by SKU and walk the warehouse in bin order (SKUs without a bin last, then by SKU),
    so a picker passes each shelf once."""
    merged: dict[str, PickRow] = {}
    for item in items:
        row = merged.get(item.sku)
        if row is None:
            merged[item.sku] = PickRow(item.sku, item.name, item.bin, item.quantity, (item.order_id,))
        else:
            orders = row.order_ids if item.order_id in row.order_ids else (*row.order_ids, item.order_id)
            merged[item.sku] = PickRow(row.sku, row.name, row.bin or item.bin, row.quantity + item.quantity, orders)
    return tuple(sorted(merged.values(), key=lambda r: (r.bin == "", _natural(r.bin), r.sku)))


def _natural(code: str) -> tuple[tuple[int, int | str], ...]:
    """A-2 before A-10: numeric parts compare as numbers."""
    return tuple((0, int(part)) if part.isascii() and part.isdigit() else (1, part) for part in code.split("-"))


@dataclass(frozen=True)
class SlipLine:
    sku: str
    name: str
    bin: str
    quantity: int


@dataclass(frozen=True)
class Parcel:
    """What one warehouse sends of the order (one allocation)."""

    warehouse: str
    warehouse_name: str
    lines: tuple[SlipLine, ...]


@dataclass(frozen=True)
class PackingSlip:
    order_id: int
    placed_at: datetime
    status: str
    customer_name: str  # shopper-supplied: escape it wherever it is shown
    shipping_method: str
    address: dict[str, str]  # shopper-supplied
    parcels: tuple[Parcel, ...]


@dataclass(frozen=True)
class ReadyOrder:
    """An order with paid units allocated to a warehouse and not yet shipped: what a pick list can gather."""

    id: int
    status: str
    customer_name: str  # shopper-supplied
    units: int  # allocated in this warehouse
    placed_at: datetime


class PurchasingViews(Protocol):
    async def suppliers(self) -> list[SupplierRow]: ...
    async def purchase_orders(self, status: str | None, limit: int = 200) -> list[PurchaseOrderRow]:
        """Newest first."""
        ...

    async def purchase_order(self, po_id: int) -> PurchaseOrderDetail | None: ...
    async def supplier(self, supplier_id: int) -> SupplierRow | None: ...
    async def supplier_page(self, limit: int, after_id: int | None) -> list[SupplierRow]:
        """By id, after ``after_id`` (a cursor's)."""
        ...

    async def purchase_order_page(
        self, filters: PurchaseOrderFilter, limit: int, after: tuple[str, int] | None
    ) -> list[PurchaseOrderRow]:
        """Newest first; with ``updated_since``, oldest change first. ``after`` is the last row's
        (updated_at as ISO text or "", id)."""
        ...

    async def warehouses(self) -> list[WarehouseOption]: ...
    async def valuation(self) -> list[WarehouseValuation]:
        """Stock at weighted average cost, per active warehouse."""
        ...

    async def pick_list(self, warehouse: str, order_ids: list[int]) -> PickList | None:
        """None when there is no such warehouse."""
        ...

    async def packing_slip(self, order_id: int, warehouse: str | None = None) -> PackingSlip | None:
        """The order's parcels (allocated or shipped units per warehouse), or only ``warehouse``'s."""
        ...

    async def ready_to_pick(self, warehouse: str, limit: int = 200) -> list[ReadyOrder]:
        """Oldest first: orders with units allocated in ``warehouse``, before they ship."""
        ...

    async def bins(self, variant_ids: list[int]) -> dict[tuple[int, int], str]:
        """Bin codes by (variant id, warehouse id)."""
        ...
