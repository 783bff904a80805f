"""Purchasing: suppliers, purchase orders (draft, send, cancel, receive) and stock valued at average cost.
Costs are ``{amount, currency}`` in minor units of the supplier's currency."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from admin_api.rest.schemas.common import Cursor, Limit, Money, MoneyIn, Sku, Strict, Text, money
from admin_api.rest.schemas.stock import Warehouse
from domain.views.purchasing import PurchaseOrderDetail, PurchaseOrderRow, SupplierRow, WarehouseValuation

POState = Literal["draft", "sent", "partially_received", "received", "cancelled"]
Bin = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]


class SupplierListQuery(Strict):
    limit: Limit = 100
    cursor: Cursor = None


class SupplierIn(Strict):
    name: Text
    currency: str = Field(pattern="^[A-Z]{3}$", description="what the supplier invoices in; its POs' currency")
    contact: str = Field(default="", max_length=500)
    lead_time_days: int = Field(default=7, ge=0, le=365, description="a new PO is expected this many days later")


class SupplierOut(BaseModel):
    id: int
    name: str
    contact: str
    lead_time_days: int
    currency: str


class SupplierPage(BaseModel):
    items: list[SupplierOut]
    next_cursor: str | None


def supplier_out(r: SupplierRow) -> SupplierOut:
    return SupplierOut(id=r.id, name=r.name, contact=r.contact, lead_time_days=r.lead_time_days, currency=r.currency)


class PurchaseOrderListQuery(Strict):
    limit: Limit = 50
    cursor: Cursor = None
    state: POState | None = None
    supplier_id: int | None = Field(default=None, ge=1, le=2**62)
    updated_since: AwareDatetime | None = Field(
        default=None, description="only purchase orders changed since then, oldest change first (a sync)"
    )


class POLineIn(Strict):
    sku: Sku
    quantity: int = Field(ge=1, le=10**7)
    unit_cost: MoneyIn = Field(description="in the supplier's currency")


class PurchaseOrderIn(Strict):
    supplier_id: int = Field(ge=1, le=2**62)
    lines: list[POLineIn] = Field(min_length=1, max_length=200)
    expected_on: date | None = Field(default=None, description="defaults to today plus the supplier's lead time")
    note: str = Field(default="", max_length=500)


class ReceiveLineIn(Strict):
    sku: Sku
    quantity: int = Field(ge=1, le=10**7)


class ReceivePurchaseOrderIn(Strict):
    warehouse: Warehouse
    bin: Bin = Field(default="", description='where the units go ("A-03-2"); becomes the SKUs\' bin there')
    lines: list[ReceiveLineIn] = Field(min_length=1, max_length=200)


class POLineOut(BaseModel):
    sku: str
    name: str
    quantity: int
    received: int
    outstanding: int
    unit_cost: Money


class ReceiptOut(BaseModel):
    sku: str
    warehouse: str
    bin: str
    quantity: int
    unit_cost: Money
    actor: str
    at: datetime


class PurchaseOrderSummaryOut(BaseModel):
    id: int
    reference: str = Field(description='as on paper and in the stock ledger: "PO-000042"')
    supplier_id: int
    supplier_name: str
    state: POState
    expected_on: date | None
    total_cost: Money
    units_ordered: int
    units_received: int
    created_by: str
    created_at: datetime
    updated_at: datetime | None


class PurchaseOrderPage(BaseModel):
    items: list[PurchaseOrderSummaryOut]
    next_cursor: str | None


class PurchaseOrderOut(PurchaseOrderSummaryOut):
    note: str
    lines: list[POLineOut]
    receipts: list[ReceiptOut] = Field(description="each delivery booked in, per line, oldest first")


def po_summary(r: PurchaseOrderRow) -> PurchaseOrderSummaryOut:
    return PurchaseOrderSummaryOut(**_summary(r))


def _summary(r: PurchaseOrderRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "reference": r.ref,
        "supplier_id": r.supplier_id,
        "supplier_name": r.supplier_name,
        "state": r.status,
        "expected_on": r.expected_on,
        "total_cost": money(r.total_cost, r.currency),
        "units_ordered": r.units_ordered,
        "units_received": r.units_received,
        "created_by": r.created_by,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


def po_out(d: PurchaseOrderDetail) -> PurchaseOrderOut:
    cur = d.po.currency
    return PurchaseOrderOut(
        **_summary(d.po),
        note=d.note,
        lines=[
            POLineOut(
                sku=x.sku,
                name=x.name,
                quantity=x.quantity,
                received=x.received,
                outstanding=x.outstanding,
                unit_cost=money(x.unit_cost, cur),
            )
            for x in d.lines
        ],
        receipts=[
            ReceiptOut(
                sku=x.sku,
                warehouse=x.warehouse,
                bin=x.bin,
                quantity=x.quantity,
                unit_cost=money(x.unit_cost, cur),
                actor=x.actor,
                at=x.at,
            )
            for x in d.receipts
        ],
    )


class ValuationLineOut(BaseModel):
    sku: str
    name: str
    bin: str
    on_hand: int
    unit_cost: Money | None = Field(description="weighted average; null until received against a purchase order")
    value: Money | None = Field(description="on hand × unit cost (units below zero carry none)")


class WarehouseValuationOut(BaseModel):
    warehouse: str
    name: str
    lines: list[ValuationLineOut]
    totals: list[Money] = Field(description="one per currency the stock is valued in")
    unvalued_units: int = Field(description="units on hand without a cost yet")


class ValuationOut(BaseModel):
    warehouses: list[WarehouseValuationOut]


def valuation_out(houses: list[WarehouseValuation]) -> ValuationOut:
    return ValuationOut(
        warehouses=[
            WarehouseValuationOut(
                warehouse=h.code,
                name=h.name,
                lines=[
                    ValuationLineOut(
                        sku=r.sku,
                        name=r.name,
                        bin=r.bin,
                        on_hand=r.on_hand,
                        unit_cost=money(r.unit_cost, r.currency) if r.currency else None,
                        value=money(r.value, r.currency) if r.currency else None,
                    )
                    for r in h.rows
                ],
                totals=[money(v, cur) for cur, v in h.totals],
                unvalued_units=h.unvalued_units,
            )
            for h in houses
        ]
    )
