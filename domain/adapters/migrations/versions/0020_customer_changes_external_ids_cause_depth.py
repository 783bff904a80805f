"""customers.updated_at; orders.external_id unique per channel (moved out of the idempotency key);
outbox.cause_depth (the automation loop guard)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 18:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# External orders kept their id as the idempotency key "external:<channel>:<id>".
_PREFIX = "'external:' || channel || ':'"
_EPOCH = sa.text("'1970-01-01 00:00:00+00:00'")


def upgrade() -> None:
    # Plain ADD COLUMNs: a batch (table copy) on SQLite would drop tables that orders and identities point at.
    # SQLite takes NOT NULL only with a constant default; every row gets its creation time right after.
    op.add_column(
        "customers",
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_EPOCH),
    )
    op.execute("UPDATE customers SET updated_at = created_at")
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("customers", "updated_at", server_default=None)
    op.create_index("ix_customers_updated_at_id", "customers", ["updated_at", "id"])

    op.add_column("orders", sa.Column("external_id", sa.String(100), nullable=True))
    op.execute(
        f"UPDATE orders SET external_id = substr(idempotency_key, length({_PREFIX}) + 1), idempotency_key = NULL "
        f"WHERE substr(idempotency_key, 1, length({_PREFIX})) = {_PREFIX}"
    )
    op.create_index("uq_orders_channel_external_id", "orders", ["channel", "external_id"], unique=True)

    op.add_column("outbox", sa.Column("cause_depth", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("cause_depth")
    op.drop_index("uq_orders_channel_external_id", table_name="orders")
    op.execute(
        "UPDATE orders SET idempotency_key = 'external:' || channel || ':' || external_id WHERE external_id IS NOT NULL"
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("external_id")
    op.drop_index("ix_customers_updated_at_id", table_name="customers")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
