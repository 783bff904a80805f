"""The read-side ports, one small Protocol per area and ``ShopViews`` composing them. Implemented with SQL in
``domain.adapters.sql_views`` (one module per area)."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from domain.model.catalog import SearchQuery
from domain.views.campaigns import CampaignAudience, CampaignViews
from domain.views.dashboard import ReportRollups
from domain.views.models import (
    Breakdown,
    CartView,
    CatalogVocabulary,
    CategoryNode,
    CouponView,
    CustomerProfile,
    LedgerMismatch,
    OrderMoney,
    OrderSummary,
    OrderView,
    PackingList,
    Page,
    ProductDetail,
    ProductSummary,
    RefundView,
    ShippingOption,
    StaffView,
    StockView,
)
from domain.views.stock import LowStock


class CatalogViews(Protocol):
    """Search, product cards, the category tree, shipping options and the vocabulary the NLU matches."""

    # ``locale`` (or ``SearchQuery.locale``) is the shopper's ("zh", "en"): product, category and order line
    # names come back translated into it where the catalog has a translation, the default text otherwise.
    async def search(self, query: SearchQuery) -> Page[ProductSummary]: ...
    async def product(
        self,
        *,
        product_id: int | None = None,
        slug: str | None = None,
        sku: str | None = None,
        locale: str | None = None,
    ) -> ProductDetail | None: ...
    async def categories(self, locale: str | None = None) -> list[CategoryNode]: ...
    async def shipping_options(self, country: str, subtotal: int) -> list[ShippingOption]: ...
    async def vocabulary(self) -> CatalogVocabulary: ...


class CartViews(Protocol):
    """A customer's cart (with its coupon previewed) and the coupons on offer."""

    async def cart(self, customer_id: int, locale: str | None = None) -> CartView: ...
    async def coupons(self) -> list[CouponView]:
        """Coupons for everyone (personal single-use codes are counted under the template they came from)."""
        ...


class OrderViews(Protocol):
    """Orders, their money, a customer's orders and packing lists."""

    async def order(self, order_id: int, locale: str | None = None) -> OrderView | None: ...
    async def order_money(self, order_id: int) -> OrderMoney:
        """The order's payments and refunds, oldest first (empty for an unknown order)."""
        ...

    async def refund(self, refund_id: int) -> RefundView | None: ...
    async def orders_of(self, customer_id: int, limit: int = 10) -> list[OrderSummary]: ...
    async def packing_lists(self, order_id: int) -> list[PackingList]: ...


class StockViews(Protocol):
    """Stock by SKU, finding stock by text, low stock and the ledger's mismatches."""

    async def stock(self, sku: str) -> StockView | None: ...
    async def find_stock(self, text: str, limit: int = 10) -> list[StockView]: ...
    async def low_stock(self, limit: int = 20) -> LowStock: ...
    async def ledger_mismatches(self) -> list[LedgerMismatch]: ...


class CustomerViews(Protocol):
    """A customer's profile and export, and who a campaign reaches."""

    async def customer(self, customer_id: int) -> CustomerProfile | None: ...
    async def customer_export(self, customer_id: int) -> dict[str, Any]: ...
    async def campaign_audience(self, name_or_id: str | int, sample: int = 5) -> CampaignAudience | None:
        """The campaign and who it reaches now (counts by channel and language, ``sample`` of them by name);
        None when there is no such campaign."""
        ...


class StaffViews(Protocol):
    """Staff members and support tickets."""

    async def staff_by_slack_user(self, slack_user_id: str) -> StaffView | None: ...
    async def staff_members(self) -> list[StaffView]: ...
    async def open_tickets(self, limit: int = 50) -> list[dict[str, Any]]: ...
    async def tickets(self, status: str | None = "open", limit: int = 100) -> list[dict[str, Any]]: ...
    async def ticket(self, ticket_id: int) -> dict[str, Any] | None: ...


class ReportViews(Protocol):
    """Customers by country, channel or locale. (Sales, best sellers and the funnel come from the rollups:
    ``ShopViews.reports``.)"""

    async def customers_by(self, dimension: str) -> list[Breakdown]: ...


class ShopViews(CatalogViews, CartViews, OrderViews, StockViews, CustomerViews, StaffViews, ReportViews, Protocol):
    """Every area's views, for what reads across areas (the conversation engine, the console, the API).
    A caller that needs one area takes that area's Protocol."""

    @property
    def campaigns(self) -> CampaignViews:
        """Campaigns and their reports (a port of their own; read-only here)."""
        ...

    @property
    def reports(self) -> ReportRollups:
        """Sales, best sellers and the funnel from the analytics rollups: what the dashboard, Slack's reports and
        ``chatshop report`` read."""
        ...

    def read_scope(self) -> AbstractAsyncContextManager[ScopedShopViews]:
        """These views sharing one read connection until the block ends (a shopper turn, a request): opened on
        the first view called, closed at the end."""
        ...


class ScopedShopViews(ShopViews, Protocol):
    """The views of one read scope."""

    async def release(self) -> None:
        """End the scope's read transaction and give its connection back; the next view opens another. Call it
        before a command: views after it then see what the command wrote."""
        ...
