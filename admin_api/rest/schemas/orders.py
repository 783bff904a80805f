"""Orders: lists, the order page, fulfilment and refunds, orders from other sales channels."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from admin_api.rest.schemas.common import Cursor, Limit, Money, MoneyIn, Sku, Strict, Text, money
from domain.views.admin import OrderRow
from domain.views.models import OrderMoney, OrderView


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


class TimelineEntryOut(BaseModel):
    at: datetime
    event: str = Field(description="the domain event's type, as in webhook payloads (OrderPaid, OrderShipped…)")
    actor: str = Field(description='who did it: a staff member, "customer:7", "api:NAME", "system", or "" (a job)')
    details: dict[str, Any] = Field(description="the event's fields")


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
    timeline: list[TimelineEntryOut] = Field(description="everything that happened to the order, oldest first")


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


def order_summary_data(o: OrderRow) -> dict[str, Any]:
    """An ``OrderSummaryOut`` as plain data, for ``registry.Json`` (a page of 200 rows skips ~1,800 model
    validations of rows we built ourselves); ``tests/unit/admin_api`` holds it byte-equal to the model's JSON."""
    c = o.currency
    return {
        "id": o.id,
        "customer_id": o.customer_id,
        "channel": o.channel,
        "status": o.status,
        "financial_status": o.financial_status,
        "totals": {
            "subtotal": {"amount": o.subtotal, "currency": c},
            "discount": {"amount": o.discount, "currency": c},
            "shipping": {"amount": o.shipping, "currency": c},
            "tax": {"amount": o.tax, "currency": c},
            "total": {"amount": o.total, "currency": c},
            "captured": {"amount": o.captured, "currency": c},
            "refunded": {"amount": o.refunded, "currency": c},
        },
        "item_count": o.item_count,
        "placed_at": o.placed_at,
        "paid_at": o.paid_at,
        "updated_at": o.updated_at,
    }


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
    timeline: list[TimelineEntryOut],
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
        timeline=timeline,
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
