"""Selling tables: carts, coupons and their redemptions, orders with their lines, reservations, shipments."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, UniqueConstraint, text

from domain.adapters.orm_base import JSONType, UTCDateTime, _enum, _fk, _pk, metadata
from domain.model.coupons import CouponKind
from domain.model.inventory import ReservationStatus
from domain.model.orders import OrderStatus

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
