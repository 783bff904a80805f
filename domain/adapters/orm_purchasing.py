"""Purchasing and warehouse paperwork tables (issue 19, migration 0022), read and written with SQLAlchemy Core by
``purchasing_repository`` and ``purchasing_views``.

``suppliers``; ``purchase_orders`` with their ``purchase_order_lines`` (ordered and received units, unit cost in
minor units); ``purchase_receipts``: one row per line per delivery (where it went, at what cost, by whom), the PO
side of the ledger rows of kind receive. ``bin_locations``: where a variant sits in a warehouse. ``stock_costs``:
the weighted average unit cost per variant × warehouse. ``order_documents``: pick lists and packing slips printed.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, Table, UniqueConstraint

from domain.adapters.orm_base import UTCDateTime, _fk, _pk, metadata

suppliers = Table(
    "suppliers",
    metadata,
    _pk(),
    Column("name", String(200), nullable=False),
    Column("contact", String(500), nullable=False, default=""),
    Column("lead_time_days", Integer, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

purchase_orders = Table(
    "purchase_orders",
    metadata,
    _pk(),
    _fk("supplier_id", "suppliers.id"),
    Column("currency", String(3), nullable=False),
    Column("status", String(32), nullable=False, index=True),
    Column("expected_on", Date, nullable=True),
    Column("note", String(500), nullable=False, default=""),
    Column("created_by", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

purchase_order_lines = Table(
    "purchase_order_lines",
    metadata,
    _pk(),
    _fk("po_id", "purchase_orders.id", ondelete="CASCADE"),
    _fk("variant_id", "variants.id", index=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_cost", BigInteger, nullable=False),
    Column("received", Integer, nullable=False, default=0),
)

purchase_receipts = Table(
    "purchase_receipts",
    metadata,
    _pk(),
    _fk("po_id", "purchase_orders.id"),
    _fk("line_id", "purchase_order_lines.id", index=False),
    _fk("variant_id", "variants.id", index=False),
    _fk("warehouse_id", "warehouses.id", index=False),
    Column("bin", String(20), nullable=False, default=""),
    Column("quantity", Integer, nullable=False),
    Column("unit_cost", BigInteger, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

bin_locations = Table(
    "bin_locations",
    metadata,
    _pk(),
    _fk("variant_id", "variants.id", index=False),
    _fk("warehouse_id", "warehouses.id", index=False),
    Column("bin", String(20), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("variant_id", "warehouse_id", name="uq_bin_locations_variant_warehouse"),
)

stock_costs = Table(
    "stock_costs",
    metadata,
    _pk(),
    _fk("variant_id", "variants.id", index=False),
    _fk("warehouse_id", "warehouses.id", index=False),
    Column("currency", String(3), nullable=False),
    Column("unit_cost", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("variant_id", "warehouse_id", name="uq_stock_costs_variant_warehouse"),
)

order_documents = Table(
    "order_documents",
    metadata,
    _pk(),
    _fk("order_id", "orders.id", index=False),
    Column("document", String(32), nullable=False),
    Column("warehouse", String(32), nullable=False, default=""),
    Column("actor", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_order_documents_order_id_created_at", "order_id", "created_at"),
)
