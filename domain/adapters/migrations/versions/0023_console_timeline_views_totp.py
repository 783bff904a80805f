"""staff console: order timeline (order_events), saved order-list views, staff TOTP second factor

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 18:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def _id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True)


def _staff_id() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("staff_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def _staff_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["staff_id"], ["staff_members.id"], name=f"fk_{table}_staff_id_staff_members", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "order_events",
        _id(),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("actor", sa.String(120), nullable=False),
        sa.Column(
            "payload", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_order_events"),
    )
    op.create_index("ix_order_events_order_id", "order_events", ["order_id", "id"])
    op.create_table(
        "console_saved_views",
        _id(),
        _staff_id(),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("query", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_console_saved_views"),
        _staff_fk("console_saved_views"),
        sa.UniqueConstraint("staff_id", "name", name="uq_console_saved_views_staff_id_name"),
    )
    op.create_table(
        "staff_totp",
        _id(),
        _staff_id(),
        sa.Column("secret", sa.String(64), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pending_hash", sa.String(64), nullable=True),
        sa.Column("pending_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_staff_totp"),
        _staff_fk("staff_totp"),
        sa.UniqueConstraint("pending_hash", name="uq_staff_totp_pending_hash"),
    )
    op.create_index("ix_staff_totp_staff_id", "staff_totp", ["staff_id"], unique=True)


def downgrade() -> None:
    op.drop_table("staff_totp")
    op.drop_table("console_saved_views")
    op.drop_table("order_events")
