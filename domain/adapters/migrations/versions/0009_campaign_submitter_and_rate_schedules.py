"""campaign submitter (approval by someone else) and rate schedules (a bot's rate shared without Redis)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-10 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("submitted_by", sa.String(length=120), nullable=True))
    op.create_table(
        "rate_schedules",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("next_slot_us", sa.BigInteger(), nullable=False),
        sa.Column("paused_until_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_schedules")),
    )


def downgrade() -> None:
    op.drop_table("rate_schedules")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("submitted_by")
