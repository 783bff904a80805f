"""demand forecasts: runs, daily forecast per variant, variant sourcing (supplier, pack), reorder batches

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 21:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "forecast_runs",
        sa.Column("id", BIG, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("skus", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_forecast_runs"),
    )
    op.create_table(
        "demand_forecasts",
        sa.Column("variant_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("run_id", BIG, nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("lo80", sa.Float(), nullable=False),
        sa.Column("hi80", sa.Float(), nullable=False),
        sa.Column("lo95", sa.Float(), nullable=False),
        sa.Column("hi95", sa.Float(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("demand_class", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["variant_id"], ["variants.id"], name="fk_demand_forecasts_variant_id_variants", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["run_id"], ["forecast_runs.id"], name="fk_demand_forecasts_run_id_forecast_runs"),
        sa.PrimaryKeyConstraint("variant_id", "day", name="pk_demand_forecasts"),
    )
    op.create_table(
        "variant_sourcing",
        sa.Column("variant_id", sa.BigInteger(), nullable=False),
        sa.Column("supplier_id", BIG, nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["variant_id"], ["variants.id"], name="fk_variant_sourcing_variant_id_variants", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"], name="fk_variant_sourcing_supplier_id_suppliers"),
        sa.PrimaryKeyConstraint("variant_id", name="pk_variant_sourcing"),
    )
    op.create_index("ix_variant_sourcing_supplier_id", "variant_sourcing", ["supplier_id"])
    op.create_table(
        "reorder_batches",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("po_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_reorder_batches"),
    )


def downgrade() -> None:
    op.drop_table("reorder_batches")
    op.drop_index("ix_variant_sourcing_supplier_id", table_name="variant_sourcing")
    op.drop_table("variant_sourcing")
    op.drop_table("demand_forecasts")
    op.drop_table("forecast_runs")
