"""Read views for the admin API: keyset-paged lists with filters, and what an order page adds to
``OrderView`` (shipments, allocations, last change). Plain dataclasses; SQL in ``domain.adapters.admin_views``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.views.console import TimelineEntry


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None
    channel: str | None = None
    customer_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    updated_since: datetime | None = None
    updated_to: datetime | None = None
    # An order id, or part of a customer's name or e-mail, or an exact SKU on one of its lines.
    search: str | None = None
    statuses: tuple[str, ...] = ()  # any of these states (besides ``status``): the console's saved views


@dataclass(frozen=True)
class OrderRow:
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
    item_count: int
    placed_at: datetime
    paid_at: datetime | None
    updated_at: datetime
    customer_name: str = ""  # as the customer gave it (escape it wherever it is shown); "" once anonymised


@dataclass(frozen=True)
class ShipmentRow:
    carrier: str
    tracking_number: str
    shipped_at: datetime


@dataclass(frozen=True)
class AllocationRow:
    sku: str
    warehouse: str
    quantity: int
    status: str  # active (held at checkout), allocated (paid), released, shipped…


@dataclass(frozen=True)
class OrderExtras:
    updated_at: datetime
    shipments: tuple[ShipmentRow, ...]
    allocations: tuple[AllocationRow, ...]
    external_id: str | None = None  # the order's id in the sales channel it came from (PlaceExternalOrder)


@dataclass(frozen=True)
class ProductFilter:
    category: str | None = None  # a category slug: products in it or below it
    status: str | None = None  # active | archived
    updated_since: datetime | None = None


@dataclass(frozen=True)
class VariantRow:
    id: int
    sku: str
    options: dict[str, str]
    price: int
    currency: str
    active: bool
    low_stock_threshold: int


@dataclass(frozen=True)
class ProductRow:
    id: int
    slug: str
    name: str
    description: str
    brand: str | None
    category: str | None  # the category's slug
    category_path: tuple[str, ...]
    attributes: dict[str, str]
    images: tuple[str, ...]
    status: str
    updated_at: datetime
    variants: tuple[VariantRow, ...]


@dataclass(frozen=True)
class StockLevelRow:
    id: int
    sku: str
    warehouse: str
    on_hand: int
    reserved: int
    allocated: int
    available: int
    updated_at: datetime | None  # the last ledger row's time


@dataclass(frozen=True)
class CustomerRow:
    id: int
    name: str
    email: str | None
    country: str | None
    locale: str
    tags: tuple[str, ...]
    marketing_opt_in: bool
    created_at: datetime
    anonymised: bool
    updated_at: datetime  # any change to the customer, their identities or consent


class AdminViews(Protocol):
    async def orders(self, filters: OrderFilter, limit: int, after: tuple[str, int] | None) -> list[OrderRow]:
        """Newest first by id; with ``updated_since``, oldest change first by (updated_at, id). ``after`` is the
        last row's sort key (its ISO updated_at or "", and id). ``limit`` rows at most."""
        ...

    async def order_extras(self, order_id: int) -> OrderExtras | None: ...

    async def order_timeline(self, order_id: int) -> list[TimelineEntry]:
        """Everything that happened to the order, oldest first, with who did it (the console shows the same)."""
        ...

    async def products(self, filters: ProductFilter, limit: int, after: tuple[str, int] | None) -> list[ProductRow]:
        """By id; with ``updated_since``, by (updated_at, id)."""
        ...

    async def product_row(self, product_id: int) -> ProductRow | None: ...

    async def stock_levels(
        self, sku: str | None, warehouse: str | None, limit: int, after: int | None
    ) -> list[StockLevelRow]: ...

    async def customers(
        self, query: str | None, limit: int, after: tuple[str, int] | None, updated_since: datetime | None = None
    ) -> list[CustomerRow]:
        """By id; with ``updated_since``, oldest change first by (updated_at, id), like ``orders``."""
        ...

    async def customer_row(self, customer_id: int) -> CustomerRow | None: ...
