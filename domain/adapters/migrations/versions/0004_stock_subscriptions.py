"""stock subscriptions (back-in-stock notices)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.adapters.orm

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stock_subscriptions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("variant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", domain.adapters.orm.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", domain.adapters.orm.UTCDateTime(timezone=True), nullable=True),
        sa.Column("campaign_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_stock_subscriptions_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_stock_subscriptions_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["variant_id"], ["variants.id"], name=op.f("fk_stock_subscriptions_variant_id_variants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_subscriptions")),
        sa.UniqueConstraint("customer_id", "variant_id", name="uq_stock_subscriptions_customer_variant"),
    )
    with op.batch_alter_table("stock_subscriptions", schema=None) as batch_op:
        batch_op.create_index("ix_stock_subscriptions_status_variant", ["status", "variant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stock_subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_subscriptions_status_variant")

    op.drop_table("stock_subscriptions")
