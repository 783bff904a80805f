"""purchasing: suppliers, purchase orders with lines and receipts, bin locations, average costs, printed paperwork

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-06 18:40:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id() -> sa.Column[int]:
    return sa.Column("id", BIG, primary_key=True, autoincrement=True)


def _ref(
    name: str, table: str, target: str, ondelete: str | None = None
) -> tuple[sa.Column[int], sa.ForeignKeyConstraint]:
    target_table = target.split(".")[0]
    return (
        sa.Column(name, BIG, nullable=False),
        sa.ForeignKeyConstraint([name], [target], name=f"fk_{table}_{name}_{target_table}", ondelete=ondelete),
    )


def _table(
    name: str,
    *columns: sa.Column[Any],
    refs: tuple[tuple[str, str, str | None], ...] = (),
    extra: tuple[sa.UniqueConstraint, ...] = (),
) -> None:
    ref_columns: list[sa.Column[int]] = []
    constraints: list[sa.ForeignKeyConstraint] = []
    for column, target, ondelete in refs:
        col, fk = _ref(column, name, target, ondelete)
        ref_columns.append(col)
        constraints.append(fk)
    op.create_table(
        name, _id(), *ref_columns, *columns, *constraints, *extra, sa.PrimaryKeyConstraint("id", name=f"pk_{name}")
    )


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    _table(
        "suppliers",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("contact", sa.String(500), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("created_at", when, nullable=False),
    )
    _table(
        "purchase_orders",
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("created_by", sa.String(120), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("updated_at", when, nullable=False),
        refs=(("supplier_id", "suppliers.id", None),),
    )
    op.create_index("ix_purchase_orders_supplier_id", "purchase_orders", ["supplier_id"])
    op.create_index("ix_purchase_orders_status", "purchase_orders", ["status"])
    _table(
        "purchase_order_lines",
        sa.Column("sku", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        refs=(("po_id", "purchase_orders.id", "CASCADE"), ("variant_id", "variants.id", None)),
    )
    op.create_index("ix_purchase_order_lines_po_id", "purchase_order_lines", ["po_id"])
    _table(
        "purchase_receipts",
        sa.Column("bin", sa.String(20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("created_at", when, nullable=False),
        refs=(
            ("po_id", "purchase_orders.id", None),
            ("line_id", "purchase_order_lines.id", None),
            ("variant_id", "variants.id", None),
            ("warehouse_id", "warehouses.id", None),
        ),
    )
    op.create_index("ix_purchase_receipts_po_id", "purchase_receipts", ["po_id"])
    _table(
        "bin_locations",
        sa.Column("bin", sa.String(20), nullable=False),
        sa.Column("updated_at", when, nullable=False),
        refs=(("variant_id", "variants.id", None), ("warehouse_id", "warehouses.id", None)),
        extra=(sa.UniqueConstraint("variant_id", "warehouse_id", name="uq_bin_locations_variant_warehouse"),),
    )
    _table(
        "stock_costs",
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", when, nullable=False),
        refs=(("variant_id", "variants.id", None), ("warehouse_id", "warehouses.id", None)),
        extra=(sa.UniqueConstraint("variant_id", "warehouse_id", name="uq_stock_costs_variant_warehouse"),),
    )
    _table(
        "order_documents",
        sa.Column("document", sa.String(32), nullable=False),
        sa.Column("warehouse", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column("created_at", when, nullable=False),
        refs=(("order_id", "orders.id", None),),
    )
    op.create_index("ix_order_documents_order_id_created_at", "order_documents", ["order_id", "created_at"])


def downgrade() -> None:
    for name in (
        "order_documents",
        "stock_costs",
        "bin_locations",
        "purchase_receipts",
        "purchase_order_lines",
        "purchase_orders",
        "suppliers",
    ):
        op.drop_table(name)
