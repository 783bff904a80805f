"""The shapes read views return. Plain frozen dataclasses: nothing from the ORM leaks out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, TypeVar

from domain.model.payments import RefundStatus
from domain.model.staff import Actor, Role

T = TypeVar("T")

__all__ = [
    "Breakdown",
    "CartLineView",
    "CartView",
    "CatalogVocabulary",
    "CategoryNode",
    "CustomerProfile",
    "DaySales",
    "FunnelStep",
    "LedgerMismatch",
    "OrderLineView",
    "OrderMoney",
    "OrderSummary",
    "OrderView",
    "PackingLine",
    "PackingList",
    "Page",
    "PaymentView",
    "ProductDetail",
    "ProductSummary",
    "RefundView",
    "SalesSummary",
    "ShippingOption",
    "StockRow",
    "StockView",
    "TopProduct",
    "VariantView",
]


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.items) < self.total


@dataclass(frozen=True)
class ProductSummary:
    id: int
    slug: str
    name: str
    brand: str | None
    category: str | None
    image: str | None
    min_price: int
    max_price: int
    currency: str
    available: int


@dataclass(frozen=True)
class VariantView:
    id: int
    sku: str
    options: dict[str, str]
    price: int
    currency: str
    available: int
    active: bool
    low_stock_threshold: int = 5


@dataclass(frozen=True)
class ProductDetail:
    id: int
    slug: str
    name: str
    description: str
    brand: str | None
    category_path: tuple[str, ...]
    attributes: dict[str, str]
    images: tuple[str, ...]
    variants: tuple[VariantView, ...]
    active: bool
    # As stored, whatever locale the names above were read in (for export and staff tools):
    # {"zh_Hans": {"name": …, "description": …}} and {"zh_Hans": ("服装", "卫衣")} (the category path).
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    category_translations: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class CategoryNode:
    id: int
    slug: str
    name: str
    parent_id: int | None
    product_count: int


@dataclass(frozen=True)
class CartLineView:
    variant_id: int
    sku: str
    name: str
    options: dict[str, str]
    unit_price: int
    quantity: int
    line_total: int
    available: int
    sellable: bool


@dataclass(frozen=True)
class CartView:
    customer_id: int
    currency: str
    lines: tuple[CartLineView, ...]
    subtotal: int
    coupon_code: str | None
    discount: int
    coupon_problem: str | None
    free_shipping: bool

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def total_before_shipping(self) -> int:
        return self.subtotal - self.discount


@dataclass(frozen=True)
class OrderLineView:
    sku: str
    name: str  # as kept at checkout ("Stride Running Shoes (red / 42)"), translated when the product is
    unit_price: int
    quantity: int
    discount: int
    # Asked in a translated locale: the product's name in it (its default name without a translation) and
    # the variant's options, for a renderer that also translates option values. Otherwise (the default
    # locale, or the product gone) empty: ``name`` as kept at checkout is what to show.
    product_name: str = ""
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderView:
    id: int
    customer_id: int
    channel: str
    status: str
    financial_status: str
    currency: str
    subtotal: int
    discount: int
    shipping: int
    tax: int
    total: int
    captured: int
    refunded: int
    lines: tuple[OrderLineView, ...]
    placed_at: datetime
    paid_at: datetime | None
    shipping_method: str
    shipping_address: dict[str, str]
    coupon_code: str | None
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None
    reservation_expires_at: datetime | None
    payment_url: str | None
    cancel_reason: str | None
    return_reason: str | None
    approval_reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class PaymentView:
    """One attempt to take an order's money at a provider (statuses as in ``domain.model.payments``)."""

    id: int
    provider: str
    amount: int
    currency: str
    status: str  # pending, succeeded, failed, expired, closed
    session_id: str | None
    provider_payment_id: str | None
    failure_reason: str | None
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class RefundView:
    id: int
    order_id: int
    payment_id: int
    provider: str  # the provider of the payment it gives back: the one that must move the money
    charge_id: str | None  # that payment's id at its provider: what a person looks up to refund by hand
    amount: int
    currency: str
    status: str  # pending, succeeded, failed, needs_action
    reason: str
    actor: str
    failure_reason: str | None
    provider_refund_id: str | None
    created_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class OrderMoney:
    """Every payment and refund of an order, oldest first (newest last)."""

    order_id: int
    payments: tuple[PaymentView, ...]
    refunds: tuple[RefundView, ...]

    @property
    def failed_refunds(self) -> tuple[RefundView, ...]:
        return tuple(r for r in self.refunds if r.status == RefundStatus.FAILED.value)

    @property
    def refunds_needing_action(self) -> tuple[RefundView, ...]:
        """Refunds a person must make by hand at the provider, then mark done."""
        return tuple(r for r in self.refunds if r.status == RefundStatus.NEEDS_ACTION.value)


@dataclass(frozen=True)
class OrderSummary:
    id: int
    status: str
    total: int
    currency: str
    placed_at: datetime
    item_count: int


@dataclass(frozen=True)
class PackingLine:
    sku: str
    name: str
    quantity: int


@dataclass(frozen=True)
class PackingList:
    order_id: int
    warehouse_code: str
    warehouse_name: str
    lines: tuple[PackingLine, ...]
    ship_to: dict[str, str]


@dataclass(frozen=True)
class StockRow:
    warehouse_code: str
    warehouse_name: str
    on_hand: int
    reserved: int
    allocated: int
    available: int


@dataclass(frozen=True)
class StockView:
    sku: str
    product_name: str
    options: dict[str, str]
    low_stock_threshold: int
    rows: tuple[StockRow, ...]

    @property
    def available(self) -> int:
        return sum(r.available for r in self.rows)


@dataclass(frozen=True)
class LedgerMismatch:
    sku: str
    warehouse_code: str
    field: str
    level: int
    ledger: int


@dataclass(frozen=True)
class DaySales:
    day: date
    orders: int
    gross: int
    net: int


@dataclass(frozen=True)
class SalesSummary:
    currency: str
    days: tuple[DaySales, ...]
    orders: int
    gross: int
    net: int

    @property
    def average_order_value(self) -> int:
        return self.gross // self.orders if self.orders else 0


@dataclass(frozen=True)
class TopProduct:
    product_id: int
    name: str
    units: int
    revenue: int


@dataclass(frozen=True)
class FunnelStep:
    name: str
    customers: int


@dataclass(frozen=True)
class HourSales:
    hour: datetime  # the hour's start, aware UTC
    orders: int
    gross: int


@dataclass(frozen=True)
class ChannelSales:
    channel: str
    orders: int
    gross: int


@dataclass(frozen=True)
class SalesOverview:
    """Paid orders in a window of time, with what a manager reads beside the total (Shopify's overview)."""

    currency: str
    orders: int
    gross: int
    net: int  # captured less refunded
    customers: int  # distinct customers with a paid order in the window
    returning_customers: int  # of those, the ones with more than one paid order up to the window's end
    chatting_customers: int  # distinct customers who wrote to the shop in the window (the funnel's first step)
    paying_customers: int  # distinct customers whose order was paid in the window (the funnel's last step)
    channels: tuple[ChannelSales, ...]  # most revenue first

    @property
    def average_order_value(self) -> int:
        return self.gross // self.orders if self.orders else 0


@dataclass(frozen=True)
class Breakdown:
    key: str
    customers: int


@dataclass(frozen=True)
class CouponView:
    code: str
    kind: str  # percent (value in basis points) | fixed (minor units) | free_shipping
    value: int
    currency: str
    min_subtotal: int
    starts_at: datetime | None
    ends_at: datetime | None
    usage_limit: int | None
    per_customer_limit: int | None
    times_used: int
    active: bool
    description: str
    personal_codes: int  # single-use codes issued from it as a campaign template
    personal_used: int  # of those, used


@dataclass(frozen=True)
class ShippingOption:
    code: str
    name: str
    price: int
    currency: str
    min_days: int
    max_days: int
    free_over: int | None


@dataclass(frozen=True)
class CustomerProfile:
    id: int
    name: str
    locale: str
    country: str | None
    email: str | None
    timezone: str
    tags: tuple[str, ...]
    identities: tuple[tuple[str, str], ...]
    marketing_opt_in: bool
    orders: int
    lifetime_value: int
    last_order_at: datetime | None
    anonymised: bool
    unreachable_channels: tuple[str, ...] = ()
    addresses: tuple[dict[str, str], ...] = ()  # shipped to before, newest first (offered at checkout)
    created_at: datetime | None = None  # when the account was made (how new a customer is: a risk fact)


@dataclass(frozen=True)
class StaffView:
    id: int
    name: str
    role: Role
    slack_user_id: str | None
    active: bool

    def as_actor(self) -> Actor:
        return Actor.staff(self.name, self.role)


@dataclass(frozen=True)
class CatalogVocabulary:
    products: list[str] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    colors: list[str] = field(default_factory=list)
    sizes: list[str] = field(default_factory=list)
    # The names in the catalog's other languages ("Stride 轻量跑鞋", 鞋靴). Apart from the names above, which
    # are what the shipped lookup tables hold (a change there retrains Rasa); the embedded engine reads
    # them from the live catalog (nlu.catalog_terms).
    translated_products: list[str] = field(default_factory=list)
    translated_categories: list[str] = field(default_factory=list)
