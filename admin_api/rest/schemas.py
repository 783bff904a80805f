"""Request and response bodies. Money is ``{amount, currency}`` in minor units; times are RFC 3339 in UTC."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from domain.views.admin import OrderRow, ProductRow, StockLevelRow
from domain.views.models import OrderMoney, OrderView


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Limit = Annotated[int, Field(ge=1, le=200, description="rows per page (1–200)")]
Cursor = Annotated[str | None, Field(default=None, max_length=500, description="`next_cursor` of the page before")]


class Money(BaseModel):
    amount: int = Field(description="minor units (cents)")
    currency: str = Field(min_length=3, max_length=3)


class MoneyIn(Strict):
    amount: int = Field(ge=0, le=10**12, description="minor units (cents)")
    currency: str = Field(pattern="^[A-Z]{3}$")


def money(amount: int, currency: str) -> Money:
    return Money(amount=amount, currency=currency)


# --- orders ----------------------------------------------------------------------------------------------
class OrderListQuery(Strict):
    limit: Limit = 50
    cursor: Cursor = None
    status: str | None = Field(default=None, max_length=32)
    channel: str | None = Field(default=None, max_length=16)
    customer_id: int | None = Field(default=None, ge=1, le=2**62)
    created_from: AwareDatetime | None = None
    created_to: AwareDatetime | None = None
    updated_since: AwareDatetime | None = Field(
        default=None, description="only orders changed since then, oldest change first (a sync)"
    )
    updated_to: AwareDatetime | None = None


class OrderTotals(BaseModel):
    subtotal: Money
    discount: Money
    shipping: Money
    tax: Money
    total: Money
    captured: Money
    refunded: Money


class OrderSummaryOut(BaseModel):
    id: int
    customer_id: int
    channel: str
    status: str
    financial_status: str
    totals: OrderTotals
    item_count: int
    placed_at: datetime
    paid_at: datetime | None
    updated_at: datetime


class OrderPage(BaseModel):
    items: list[OrderSummaryOut]
    next_cursor: str | None


class OrderLineOut(BaseModel):
    sku: str
    name: str
    unit_price: Money
    quantity: int
    discount: Money


class PaymentOut(BaseModel):
    id: int
    provider: str
    amount: Money
    status: str
    created_at: datetime
    completed_at: datetime | None
    failure_reason: str | None


class RefundOut(BaseModel):
    id: int
    amount: Money
    status: str
    reason: str
    created_at: datetime
    completed_at: datetime | None
    failure_reason: str | None


class ShipmentOut(BaseModel):
    carrier: str
    tracking_number: str
    shipped_at: datetime


class AllocationOut(BaseModel):
    sku: str
    warehouse: str
    quantity: int
    status: str


class OrderOut(BaseModel):
    id: int
    customer_id: int
    channel: str
    external_id: str | None = Field(description="the order's id in the sales channel it came from, if another")
    status: str
    financial_status: str
    totals: OrderTotals
    lines: list[OrderLineOut]
    shipping_method: str
    shipping_address: dict[str, str]
    coupon_code: str | None
    carrier: str | None
    tracking_number: str | None
    approval_reasons: list[str]
    cancel_reason: str | None
    placed_at: datetime
    paid_at: datetime | None
    updated_at: datetime
    payments: list[PaymentOut]
    refunds: list[RefundOut]
    shipments: list[ShipmentOut]
    allocations: list[AllocationOut]


def totals_of(o: OrderRow | OrderView) -> OrderTotals:
    c = o.currency
    return OrderTotals(
        subtotal=money(o.subtotal, c),
        discount=money(o.discount, c),
        shipping=money(o.shipping, c),
        tax=money(o.tax, c),
        total=money(o.total, c),
        captured=money(o.captured, c),
        refunded=money(o.refunded, c),
    )


def order_summary(o: OrderRow) -> OrderSummaryOut:
    return OrderSummaryOut(
        id=o.id,
        customer_id=o.customer_id,
        channel=o.channel,
        status=o.status,
        financial_status=o.financial_status,
        totals=totals_of(o),
        item_count=o.item_count,
        placed_at=o.placed_at,
        paid_at=o.paid_at,
        updated_at=o.updated_at,
    )


def order_out(
    o: OrderView,
    cash: OrderMoney,
    updated_at: datetime,
    ships: list[ShipmentOut],
    allocs: list[AllocationOut],
    external_id: str | None,
) -> OrderOut:
    return OrderOut(
        id=o.id,
        customer_id=o.customer_id,
        channel=o.channel,
        external_id=external_id,
        status=o.status,
        financial_status=o.financial_status,
        totals=totals_of(o),
        lines=[
            OrderLineOut(
                sku=line.sku,
                name=line.name,
                unit_price=money(line.unit_price, o.currency),
                quantity=line.quantity,
                discount=money(line.discount, o.currency),
            )
            for line in o.lines
        ],
        shipping_method=o.shipping_method,
        shipping_address=o.shipping_address,
        coupon_code=o.coupon_code,
        carrier=o.carrier,
        tracking_number=o.tracking_number,
        approval_reasons=list(o.approval_reasons),
        cancel_reason=o.cancel_reason,
        placed_at=o.placed_at,
        paid_at=o.paid_at,
        updated_at=updated_at,
        payments=[
            PaymentOut(
                id=p.id,
                provider=p.provider,
                amount=money(p.amount, p.currency),
                status=p.status,
                created_at=p.created_at,
                completed_at=p.completed_at,
                failure_reason=p.failure_reason,
            )
            for p in cash.payments
        ],
        refunds=[
            RefundOut(
                id=r.id,
                amount=money(r.amount, r.currency),
                status=r.status,
                reason=r.reason,
                created_at=r.created_at,
                completed_at=r.completed_at,
                failure_reason=r.failure_reason,
            )
            for r in cash.refunds
        ],
        shipments=ships,
        allocations=allocs,
    )


class RejectIn(Strict):
    reason: Text


class CancelIn(Strict):
    reason: Text = "cancelled through the API"


class AdvanceIn(Strict):
    to: Literal["picking", "packed", "delivered"] = Field(description="the next fulfilment step")


class ShipIn(Strict):
    carrier: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    tracking_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class RefundIn(Strict):
    amount: MoneyIn | None = Field(default=None, description="omit to refund everything still refundable")
    reason: Text = "refunded through the API"


class RefundResult(BaseModel):
    status: Literal["succeeded", "failed", "needs_action", "pending"]
    order: OrderOut


# --- products --------------------------------------------------------------------------------------------
class ProductListQuery(Strict):
    limit: Limit = 50
    cursor: Cursor = None
    category: str | None = Field(default=None, max_length=140, description="category slug (and those below it)")
    status: Literal["active", "archived"] | None = None
    updated_since: AwareDatetime | None = None


class VariantIn(Strict):
    sku: Sku
    price: MoneyIn
    options: dict[
        Annotated[str, StringConstraints(max_length=40)], Annotated[str, StringConstraints(max_length=80)]
    ] = Field(default_factory=dict, max_length=10)
    low_stock_threshold: int = Field(default=5, ge=0, le=10**6)


class ProductIn(Strict):
    name: Text
    slug: Annotated[str, StringConstraints(pattern="^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=200)] | None = None
    description: str = Field(default="", max_length=10_000)
    brand: Annotated[str, StringConstraints(max_length=120)] | None = None
    category_path: list[Text] = Field(default_factory=list, max_length=5)
    attributes: dict[
        Annotated[str, StringConstraints(max_length=40)], Annotated[str, StringConstraints(max_length=200)]
    ] = Field(default_factory=dict, max_length=30)
    images: list[Annotated[str, StringConstraints(max_length=500)]] = Field(default_factory=list, max_length=20)
    active: bool = True
    variants: list[VariantIn] = Field(min_length=1, max_length=200)


class VariantOut(BaseModel):
    id: int
    sku: str
    options: dict[str, str]
    price: Money
    active: bool
    low_stock_threshold: int


class ProductOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str
    brand: str | None
    category: str | None
    category_path: list[str]
    attributes: dict[str, str]
    images: list[str]
    status: str
    updated_at: datetime
    variants: list[VariantOut]


class ProductPage(BaseModel):
    items: list[ProductOut]
    next_cursor: str | None


def product_out(p: ProductRow) -> ProductOut:
    return ProductOut(
        id=p.id,
        slug=p.slug,
        name=p.name,
        description=p.description,
        brand=p.brand,
        category=p.category,
        category_path=list(p.category_path),
        attributes=p.attributes,
        images=list(p.images),
        status=p.status,
        updated_at=p.updated_at,
        variants=[
            VariantOut(
                id=v.id,
                sku=v.sku,
                options=v.options,
                price=money(v.price, v.currency),
                active=v.active,
                low_stock_threshold=v.low_stock_threshold,
            )
            for v in p.variants
        ],
    )


class BulkUpsertIn(Strict):
    products: list[ProductIn] = Field(min_length=1, max_length=5000)


class BulkRowOutcome(BaseModel):
    index: int
    ok: bool
    product_id: int | None = None
    skus: list[str]
    error: str | None = None


class BulkUpsertOut(BaseModel):
    succeeded: int
    failed: int
    rows: list[BulkRowOutcome]


# --- stock -----------------------------------------------------------------------------------------------
class StockListQuery(Strict):
    limit: Limit = 100
    cursor: Cursor = None
    sku: str | None = Field(default=None, max_length=64)
    warehouse: str | None = Field(default=None, max_length=32)


class StockLevelOut(BaseModel):
    sku: str
    warehouse: str
    on_hand: int
    reserved: int
    allocated: int
    available: int
    updated_at: datetime | None


class StockPage(BaseModel):
    items: list[StockLevelOut]
    next_cursor: str | None


def stock_out(s: StockLevelRow) -> StockLevelOut:
    return StockLevelOut(
        sku=s.sku,
        warehouse=s.warehouse,
        on_hand=s.on_hand,
        reserved=s.reserved,
        allocated=s.allocated,
        available=s.available,
        updated_at=s.updated_at,
    )


Warehouse = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class ReceiveIn(Strict):
    sku: Sku
    warehouse: Warehouse
    quantity: int = Field(ge=1, le=10**7)
    reason: Text = "received"


class AdjustIn(Strict):
    sku: Sku
    warehouse: Warehouse
    delta: int = Field(ge=-(10**7), le=10**7)
    reason: Text


class CountIn(Strict):
    sku: Sku
    warehouse: Warehouse
    on_hand: int = Field(ge=0, le=10**7, description="what was counted: the ledger gets the difference")
    reason: Text = "stock count"


# --- customers -------------------------------------------------------------------------------------------
class CustomerListQuery(Strict):
    limit: Limit = 50
    cursor: Cursor = None
    q: str | None = Field(default=None, max_length=100, description="part of a name or e-mail address")


class CustomerSummaryOut(BaseModel):
    id: int
    name: str
    email: str | None
    country: str | None
    locale: str
    tags: list[str]
    marketing_opt_in: bool
    created_at: datetime | None
    anonymised: bool


class CustomerPage(BaseModel):
    items: list[CustomerSummaryOut]
    next_cursor: str | None


class CustomerOut(CustomerSummaryOut):
    identities: list[dict[str, str]]
    orders: int
    lifetime_value: Money
    last_order_at: datetime | None


class CustomerExport(BaseModel):
    model_config = ConfigDict(extra="allow")


class Accepted(BaseModel):
    ok: bool = True


# --- coupons and reports ---------------------------------------------------------------------------------
class CouponOut(BaseModel):
    code: str
    kind: Literal["percent", "fixed", "free_shipping"]
    value: int = Field(description="percent: basis points (1000 = 10 %); fixed: minor units; free_shipping: 0")
    min_subtotal: Money
    starts_at: datetime | None
    ends_at: datetime | None
    usage_limit: int | None
    per_customer_limit: int | None
    times_used: int
    active: bool
    description: str
    personal_codes: int
    personal_used: int


class CouponList(BaseModel):
    items: list[CouponOut]


class Period(Strict):
    start: date = Field(alias="from", description="first day (UTC), e.g. 2026-11-01")
    end: date = Field(alias="to", description="last day (UTC), included")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TopQuery(Period):
    limit: int = Field(default=10, ge=1, le=100)


class DaySalesOut(BaseModel):
    day: date
    orders: int
    gross: Money
    net: Money


class SalesReport(BaseModel):
    orders: int
    gross: Money
    net: Money
    average_order_value: Money
    days: list[DaySalesOut]


class TopProductOut(BaseModel):
    product_id: int
    name: str
    units: int
    revenue: Money


class TopProductsReport(BaseModel):
    items: list[TopProductOut]


class FunnelStepOut(BaseModel):
    name: str
    customers: int


class FunnelReport(BaseModel):
    steps: list[FunnelStepOut]


class CustomersQuery(Strict):
    by: Literal["country", "channel", "locale"]


class BreakdownOut(BaseModel):
    key: str
    customers: int


class CustomersReport(BaseModel):
    by: str
    items: list[BreakdownOut]


Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class TagsIn(Strict):
    add: list[Tag] = Field(min_length=1, max_length=20)


class ConsentIn(Strict):
    granted: bool = Field(description="marketing messages allowed")
    source: Text = Field(description="where the customer said so, e.g. `pos-signup-form`")


class ExternalCustomerIn(Strict):
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class ExternalLineIn(Strict):
    sku: Sku
    quantity: int = Field(ge=1, le=10_000)


class AddressIn(Strict):
    name: Text
    line1: Text
    line2: Annotated[str, StringConstraints(max_length=200)] = ""
    city: Text
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    country: Annotated[str, StringConstraints(pattern="^[A-Za-z]{2}$")]
    phone: Annotated[str, StringConstraints(max_length=32)] = ""


class ExternalOrderIn(Strict):
    channel: Annotated[str, StringConstraints(pattern="^[a-z][a-z0-9_-]{1,15}$")] = Field(
        description="the sales channel: `pos`, `amazon`, `phone`… (not one of the shop's own chat channels)"
    )
    external_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="the order's id in that channel: unique per channel; sending it again returns the first order"
    )
    customer: ExternalCustomerIn
    lines: list[ExternalLineIn] = Field(min_length=1, max_length=100)
    shipping_address: AddressIn
    shipping_method: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    paid: bool = Field(default=False, description="the channel took the money: booked and the stock allocated")
