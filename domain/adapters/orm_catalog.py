"""Catalog and stock tables: categories, products and their variants, warehouses, stock levels and
movements, shipping methods."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from domain.adapters.orm_base import JSONType, UTCDateTime, _enum, _fk, _pk, metadata
from domain.model.inventory import MovementKind

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

# The catalog's version (migration 0019): one row whose ``version`` database triggers raise in the same
# transaction as any change to categories, products, variants, warehouses or shipping methods, whoever
# writes them (a command, the admin API, an import, another process). Readers compare it with the version
# of the catalog they hold in memory (``catalog_projection``) to know when to load it again.
catalog_version = Table(
    "catalog_version",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("version", BigInteger, nullable=False, default=0),
)

# The tables the in-memory catalog is made of; the migration puts a trigger on each.
CATALOG_TABLES = ("categories", "products", "variants", "warehouses", "shipping_methods")
