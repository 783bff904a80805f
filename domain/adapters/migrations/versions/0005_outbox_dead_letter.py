"""outbox dead letter: events whose delivery gave up after too many attempts

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.adapters.orm

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dead_at", domain.adapters.orm.UTCDateTime(timezone=True), nullable=True))
        # The claim query now also filters on dead_at: keep it inside the pending index.
        batch_op.drop_index("ix_outbox_pending")
        batch_op.create_index("ix_outbox_pending", ["delivered_at", "dead_at", "available_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_pending")
        batch_op.create_index("ix_outbox_pending", ["delivered_at", "available_at"], unique=False)
        batch_op.drop_column("dead_at")
