"""Tables and the imperative mapping of the plain-Python model onto them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry, relationship
from sqlalchemy.types import TypeDecorator

from domain.model import (
    AnalyticsEvent,
    Cart,
    CartLine,
    Category,
    ChannelIdentity,
    ConsentEntry,
    Coupon,
    CouponRedemption,
    Customer,
    Order,
    OrderLine,
    Payment,
    Product,
    Refund,
    Reservation,
    Shipment,
    ShippingMethod,
    StockLevel,
    StockMovement,
    Variant,
    Warehouse,
)
from domain.model.coupons import CouponKind
from domain.model.customers import Channel, ConsentPurpose
from domain.model.inventory import MovementKind, ReservationStatus
from domain.model.orders import OrderStatus
from domain.model.payments import PaymentStatus, RefundStatus
from domain.model.staff import Role, StaffMember
from domain.model.support import AuthorKind, SupportMessage, SupportTicket, TicketStatus

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)
# JSONB on PostgreSQL (comparable, indexable), JSON text on SQLite.
JSONType = JSON().with_variant(JSONB(), "postgresql")
mapper_registry = registry(metadata=metadata)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; the domain works in aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class RoleType(TypeDecorator[Role]):
    """Staff roles stored as their integer rank, so "at least approver" is a plain comparison."""

    impl = Integer
    cache_ok = True

    def process_bind_param(self, value: Role | int | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value)

    def process_result_value(self, value: int | None, dialect: Dialect) -> Role | None:
        return None if value is None else Role(value)


def _enum(cls: Any, name: str) -> Enum:
    # Stored as VARCHAR + CHECK-free so adding a state later needs no type migration on PostgreSQL.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


def _pk() -> Column[Any]:
    return Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)


def _fk(name: str, target: str, nullable: bool = False, index: bool = True, ondelete: str | None = None) -> Column[Any]:
    return Column(
        name,
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey(target, ondelete=ondelete),
        nullable=nullable,
        index=index,
    )


categories = Table(
    "categories",
    metadata,
    _pk(),
    Column("name", String(120), nullable=False),
    Column("slug", String(140), nullable=False, unique=True),
    _fk("parent_id", "categories.id", nullable=True),
    # {"zh_Hans": {"name": "卫衣"}}: read with the row, never searched on its own (see products.search_text).
    Column("translations", JSONType, nullable=False, default=dict),
)

products = Table(
    "products",
    metadata,
    _pk(),
    Column("name", String(200), nullable=False),
    Column("slug", String(220), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("brand", String(120), nullable=True, index=True),
    _fk("category_id", "categories.id", nullable=True),
    Column("attributes", JSONType, nullable=False, default=dict),
    Column("images", JSONType, nullable=False, default=list),
    Column("status", String(16), nullable=False, default="active", index=True),
    # {"zh_Hans": {"name": …, "description": …}}: a column, not a table, because a product's few
    # translations are always read with it and search goes through search_text (which holds them).
    Column("translations", JSONType, nullable=False, default=dict),
    Column("search_text", Text, nullable=False, default=""),
    # Every change sets it; API syncs list "changed since" in (updated_at, id) order.
    Column("updated_at", UTCDateTime, nullable=False, default=lambda: datetime.now(UTC)),
    Index("ix_products_updated_at_id", "updated_at", "id"),
)

variants = Table(
    "variants",
    metadata,
    _pk(),
    _fk("product_id", "products.id", ondelete="CASCADE"),
    Column("sku", String(64), nullable=False, unique=True),
    Column("price", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("options", JSONType, nullable=False, default=dict),
    Column("low_stock_threshold", Integer, nullable=False, default=5),
    Column("active", Boolean, nullable=False, default=True),
    Index("ix_variants_price", "price"),
)

warehouses = Table(
    "warehouses",
    metadata,
    _pk(),
    Column("code", String(32), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("priority", Integer, nullable=False, default=100),
    Column("country", String(2), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

stock_levels = Table(
    "stock_levels",
    metadata,
    _pk(),
    _fk("variant_id", "variants.id", index=False),
    _fk("warehouse_id", "warehouses.id"),
    Column("on_hand", Integer, nullable=False, default=0),
    Column("reserved", Integer, nullable=False, default=0),
    Column("allocated", Integer, nullable=False, default=0),
    UniqueConstraint("variant_id", "warehouse_id", name="uq_stock_levels_variant_warehouse"),
)

stock_movements = Table(
    "stock_movements",
    metadata,
    _pk(),
    _fk("variant_id", "variants.id"),
    _fk("warehouse_id", "warehouses.id", index=False),
    Column("kind", _enum(MovementKind, "movement_kind"), nullable=False),
    Column("d_on_hand", Integer, nullable=False),
    Column("d_reserved", Integer, nullable=False),
    Column("d_allocated", Integer, nullable=False),
    Column("reason", String(200), nullable=False, default=""),
    _fk("order_id", "orders.id", nullable=True),
    Column("actor", String(120), nullable=False, default=""),
    Column("created_at", UTCDateTime, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    _pk(),
    Column("name", String(200), nullable=False, default=""),
    Column("locale", String(16), nullable=False, default="en"),
    Column("country", String(2), nullable=True, index=True),
    Column("email", String(254), nullable=True, index=True),
    Column("phone", String(32), nullable=True),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("tags", JSONType, nullable=False, default=list),
    Column("notes", Text, nullable=False, default=""),
    Column("addresses", JSONType, nullable=False, default=list),
    Column("marketing_opt_in", Boolean, nullable=False, default=False),
    Column("unreachable_channels", JSONType, nullable=False, default=list),
    Column("created_at", UTCDateTime, nullable=False),
    Column("anonymised_at", UTCDateTime, nullable=True),
    _fk("merged_into_id", "customers.id", nullable=True, index=False),
    # Any change to the customer, their identities or consent sets it (domain/adapters/customer_changes.py);
    # API syncs list "changed since" in (updated_at, id) order.
    Column("updated_at", UTCDateTime, nullable=False, default=lambda: datetime.now(UTC)),
    Index("ix_customers_updated_at_id", "updated_at", "id"),
)

channel_identities = Table(
    "channel_identities",
    metadata,
    _pk(),
    _fk("customer_id", "customers.id"),
    Column("channel", _enum(Channel, "channel"), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("channel", "external_id", name="uq_channel_identities_channel_external"),
)

consent_entries = Table(
    "consent_entries",
    metadata,
    _pk(),
    _fk("customer_id", "customers.id"),
    Column("purpose", _enum(ConsentPurpose, "consent_purpose"), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("source", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

staff_members = Table(
    "staff_members",
    metadata,
    _pk(),
    Column("name", String(120), nullable=False),
    Column("role", RoleType(), nullable=False),
    Column("slack_user_id", String(32), nullable=True, unique=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

carts = Table(
    "carts",
    metadata,
    _pk(),
    _fk("customer_id", "customers.id", index=False),
    Column("currency", String(3), nullable=False),
    Column("coupon_code", String(40), nullable=True),
    Column("updated_at", UTCDateTime, nullable=False, index=True),
    UniqueConstraint("customer_id", name="uq_carts_customer_id"),
)

cart_lines = Table(
    "cart_lines",
    metadata,
    _pk(),
    _fk("cart_id", "carts.id", ondelete="CASCADE"),
    _fk("variant_id", "variants.id", index=False),
    Column("quantity", Integer, nullable=False),
    UniqueConstraint("cart_id", "variant_id", name="uq_cart_lines_cart_variant"),
)

coupons = Table(
    "coupons",
    metadata,
    _pk(),
    Column("code", String(40), nullable=False, unique=True),
    Column("kind", _enum(CouponKind, "coupon_kind"), nullable=False),
    Column("value", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("min_subtotal", BigInteger, nullable=False, default=0),
    Column("starts_at", UTCDateTime, nullable=True),
    Column("ends_at", UTCDateTime, nullable=True),
    Column("usage_limit", Integer, nullable=True),
    Column("per_customer_limit", Integer, nullable=True),
    Column("product_ids", JSONType, nullable=False, default=list),
    Column("category_ids", JSONType, nullable=False, default=list),
    Column("active", Boolean, nullable=False, default=True),
    Column("description", String(300), nullable=False, default=""),
    Column("times_used", Integer, nullable=False, default=0),
    # Issued to one customer (a campaign's single-use personal code); NULL: anyone may use it.
    _fk("customer_id", "customers.id", nullable=True, index=False),
)

coupon_redemptions = Table(
    "coupon_redemptions",
    metadata,
    _pk(),
    _fk("coupon_id", "coupons.id"),
    _fk("customer_id", "customers.id"),
    _fk("order_id", "orders.id"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("voided", Boolean, nullable=False, default=False),
    # Which of the customer's allowed uses this is (1..per_customer_limit; NULL when unlimited): with the
    # unique index below, a customer's uses are bounded by the database, not by a lock on the shared coupon.
    Column("use_number", Integer, nullable=True),
    Index(
        "uq_coupon_redemptions_use",
        "coupon_id",
        "customer_id",
        "use_number",
        unique=True,
        postgresql_where=text("NOT voided"),
        sqlite_where=text("voided = 0"),
    ),
)

shipping_methods = Table(
    "shipping_methods",
    metadata,
    _pk(),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(120), nullable=False),
    Column("price", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("countries", JSONType, nullable=False, default=list),
    Column("free_over", BigInteger, nullable=True),
    Column("min_days", Integer, nullable=False, default=2),
    Column("max_days", Integer, nullable=False, default=5),
    Column("active", Boolean, nullable=False, default=True),
)

orders = Table(
    "orders",
    metadata,
    _pk(),
    _fk("customer_id", "customers.id"),
    Column("channel", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", _enum(OrderStatus, "order_status"), nullable=False, index=True),
    Column("coupon_code", String(40), nullable=True),
    Column("shipping_method", String(40), nullable=False),
    Column("shipping_address", JSONType, nullable=False),
    Column("subtotal", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("shipping", BigInteger, nullable=False),
    Column("tax_rate_bp", Integer, nullable=False),
    Column("tax", BigInteger, nullable=False),
    Column("total", BigInteger, nullable=False),
    Column("captured", BigInteger, nullable=False, default=0),
    Column("refunded", BigInteger, nullable=False, default=0),
    Column("placed_at", UTCDateTime, nullable=False),
    Column("paid_at", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("reservation_expires_at", UTCDateTime, nullable=True),
    Column("carrier", String(60), nullable=True),
    Column("tracking_number", String(120), nullable=True),
    Column("cancel_reason", String(500), nullable=True),
    Column("return_reason", String(500), nullable=True),
    Column("approval_reasons", JSONType, nullable=False, default=list),
    Column("decided_by", String(120), nullable=True),
    Column("idempotency_key", String(120), nullable=True, unique=True),
    # The order's id in the other sales channel it came from (PlaceExternalOrder): one order per (channel, id).
    Column("external_id", String(100), nullable=True),
    Index("uq_orders_channel_external_id", "channel", "external_id", unique=True),
    Column("campaign_id", BigInteger, nullable=True, index=True),  # campaign revenue reports
    # Reports group paid orders by day; this index keeps sales-by-day an index range scan.
    Index("ix_orders_paid_at_status", "paid_at", "status"),
    # The admin API pages orders newest first by (placed_at, id) and syncs by (updated_at, id).
    Index("ix_orders_placed_at_id", "placed_at", "id"),
    Index("ix_orders_updated_at_id", "updated_at", "id"),
    Index("ix_orders_status_expires", "status", "reservation_expires_at"),
)

order_lines = Table(
    "order_lines",
    metadata,
    _pk(),
    _fk("order_id", "orders.id", ondelete="CASCADE"),
    _fk("variant_id", "variants.id"),
    _fk("product_id", "products.id"),
    Column("sku", String(64), nullable=False),
    Column("name", String(300), nullable=False),
    Column("unit_price", BigInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("discount", BigInteger, nullable=False, default=0),
)

reservations = Table(
    "reservations",
    metadata,
    _pk(),
    _fk("order_id", "orders.id"),
    _fk("variant_id", "variants.id", index=False),
    _fk("warehouse_id", "warehouses.id", index=False),
    Column("quantity", Integer, nullable=False),
    Column("status", _enum(ReservationStatus, "reservation_status"), nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Index("ix_reservations_status_expires", "status", "expires_at"),
)

shipments = Table(
    "shipments",
    metadata,
    _pk(),
    _fk("order_id", "orders.id"),
    Column("carrier", String(60), nullable=False),
    Column("tracking_number", String(120), nullable=False),
    Column("shipped_at", UTCDateTime, nullable=False),
)

payments = Table(
    "payments",
    metadata,
    _pk(),
    _fk("order_id", "orders.id"),
    Column("provider", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", _enum(PaymentStatus, "payment_status"), nullable=False),
    Column("session_id", String(255), nullable=True),
    Column("url", Text, nullable=True),
    Column("provider_payment_id", String(255), nullable=True, index=True),  # provider webhooks look it up
    Column("failure_reason", String(500), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("completed_at", UTCDateTime, nullable=True),
    UniqueConstraint("provider", "session_id", name="uq_payments_provider_session"),
)

refunds = Table(
    "refunds",
    metadata,
    _pk(),
    _fk("order_id", "orders.id"),
    _fk("payment_id", "payments.id", index=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(500), nullable=False, default=""),
    Column("actor", String(120), nullable=False, default=""),
    Column("status", _enum(RefundStatus, "refund_status"), nullable=False, index=True),
    Column("provider_refund_id", String(255), nullable=True, index=True),
    Column("failure_reason", String(500), nullable=True),
    Column("request_key", String(120), nullable=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
)

analytics_events = Table(
    "analytics_events",
    metadata,
    _pk(),
    Column("name", String(40), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    _fk("customer_id", "customers.id", nullable=True, index=True),
    Column("channel", String(16), nullable=True),
    Column("product_id", BigInteger, nullable=True),
    Column("order_id", BigInteger, nullable=True),
    Column("value", BigInteger, nullable=True),
    Column("properties", JSONType, nullable=False, default=dict),
    Index("ix_analytics_events_name_time", "name", "occurred_at"),
)

support_tickets = Table(
    "support_tickets",
    metadata,
    _pk(),
    _fk("customer_id", "customers.id"),
    Column("channel", String(16), nullable=False),
    Column("chat_id", String(200), nullable=False),
    Column("subject", String(200), nullable=False, default=""),
    Column("context", JSONType, nullable=False, default=dict),
    Column("status", _enum(TicketStatus, "ticket_status"), nullable=False, index=True),
    Column("assignee", String(120), nullable=True),
    Column("external_thread", String(120), nullable=True, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Index("ix_support_tickets_chat_status", "channel", "chat_id", "status"),
)

support_messages = Table(
    "support_messages",
    metadata,
    _pk(),
    _fk("ticket_id", "support_tickets.id", ondelete="CASCADE"),
    Column("author_kind", _enum(AuthorKind, "author_kind"), nullable=False),
    Column("author", String(120), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

# Infrastructure tables (not mapped to the model).
outbox = Table(
    "outbox",
    metadata,
    _pk(),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("name", String(80), nullable=False),
    Column("payload", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("available_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(80), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", UTCDateTime, nullable=True),
    # Set when delivery gave up after too many failed attempts (dead letter); ``chatshop outbox retry`` clears it.
    Column("dead_at", UTCDateTime, nullable=True),
    # The turn id of the work that caused the event (domain/observability.py), bound again on delivery.
    Column("turn_id", String(64), nullable=True),
    # How many automation rules stand between this event and a person's action (0: none); rules stop at a cap.
    Column("cause_depth", Integer, nullable=False, default=0, server_default="0"),
    # The claim query filters ``delivered_at IS NULL AND dead_at IS NULL`` and ranges over ``available_at``.
    Index("ix_outbox_pending", "delivered_at", "dead_at", "available_at"),
)

processed_messages = Table(
    "processed_messages",
    metadata,
    Column("consumer", String(80), primary_key=True),
    Column("message_id", String(255), primary_key=True),
    Column("processed_at", UTCDateTime, nullable=False),
)

job_runs = Table(
    "job_runs",
    metadata,
    Column("job", String(80), primary_key=True),
    Column("slot", String(40), primary_key=True),
    Column("runner", String(80), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
)

sandbox_sessions = Table(
    "sandbox_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("order_id", BigInteger, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("lines", JSONType, nullable=False),
    Column("status", String(16), nullable=False),
    Column("idempotency_key", String(120), nullable=False, unique=True),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("success_url", Text, nullable=False),
    Column("cancel_url", Text, nullable=False),
    Column("refunded", BigInteger, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
)

sandbox_refunds = Table(
    "sandbox_refunds",
    metadata,
    Column("idempotency_key", String(120), primary_key=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("session_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

_mapped = False


def start_mappers() -> None:
    """Map the model classes onto the tables, once per process."""
    global _mapped
    if _mapped:
        return
    _mapped = True
    m = mapper_registry.map_imperatively
    m(Category, categories)
    m(Variant, variants)
    m(
        Product,
        products,
        properties={
            "variants": relationship(Variant, lazy="selectin", order_by=variants.c.id, cascade="all, delete-orphan"),
        },
    )
    m(Warehouse, warehouses)
    m(StockLevel, stock_levels)
    m(StockMovement, stock_movements)
    m(Reservation, reservations)
    m(Customer, customers)
    m(ChannelIdentity, channel_identities)
    m(ConsentEntry, consent_entries)
    m(StaffMember, staff_members)
    m(CartLine, cart_lines)
    m(
        Cart,
        carts,
        properties={
            "lines": relationship(CartLine, lazy="selectin", order_by=cart_lines.c.id, cascade="all, delete-orphan"),
        },
    )
    m(Coupon, coupons)
    m(CouponRedemption, coupon_redemptions)
    m(ShippingMethod, shipping_methods)
    m(OrderLine, order_lines)
    m(
        Order,
        orders,
        properties={
            "lines": relationship(OrderLine, lazy="selectin", order_by=order_lines.c.id, cascade="all, delete-orphan"),
        },
    )
    m(Shipment, shipments)
    m(Payment, payments)
    m(Refund, refunds)
    m(AnalyticsEvent, analytics_events)
    m(SupportTicket, support_tickets)
    m(SupportMessage, support_messages)


__all__ = ["Role", "metadata", "start_mappers"]

# --- campaigns (issue 8): their tables join the same metadata wherever the schema is used -------------
import domain.adapters.orm_campaigns  # noqa: E402

# --- purchasing and the warehouse paperwork (issue 19) ---------------------------------------------------
import domain.adapters.orm_purchasing  # noqa: E402

# --- analytics rollups (issue 20) ----------------------------------------------------------------------
import domain.adapters.orm_rollups  # noqa: E402, F401

# --- web chat history (issue 14, shops without Redis); the admin API's keys and idempotency records,
# outbound webhooks and automation rules (issue 18); the console's timeline, saved views, TOTP (issue 19) ---
from domain.adapters import (  # noqa: E402, F401
    orm_api,
    orm_automation,
    orm_console,
    orm_console_more,
    orm_webchat,
    orm_webhooks,
)
