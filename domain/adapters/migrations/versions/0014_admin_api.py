"""admin API: keys (hash only), idempotency records, products.updated_at, paging indexes on orders

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 15:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True)


def upgrade() -> None:
    json = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
    op.create_table(
        "api_keys",
        _id(),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("scopes", json, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_keys"),
        sa.UniqueConstraint("key_hash", name="uq_api_keys_key_hash"),
    )
    op.create_table(
        "api_idempotency",
        _id(),
        sa.Column("api_key_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("idempotency_key", sa.String(255), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(80), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_api_idempotency"),
        sa.ForeignKeyConstraint(
            ["api_key_id"], ["api_keys.id"], name="fk_api_idempotency_api_key_id_api_keys", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("api_key_id", "idempotency_key", name="uq_api_idempotency_key"),
    )
    op.create_index("ix_api_idempotency_expires_at", "api_idempotency", ["expires_at"])
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now())
        )
    op.create_index("ix_products_updated_at_id", "products", ["updated_at", "id"])
    op.create_index("ix_orders_placed_at_id", "orders", ["placed_at", "id"])
    op.create_index("ix_orders_updated_at_id", "orders", ["updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_orders_updated_at_id", table_name="orders")
    op.drop_index("ix_orders_placed_at_id", table_name="orders")
    op.drop_index("ix_products_updated_at_id", table_name="products")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
    op.drop_index("ix_api_idempotency_expires_at", table_name="api_idempotency")
    op.drop_table("api_idempotency")
    op.drop_table("api_keys")
