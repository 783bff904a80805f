"""outbox rows remember the turn id of the work that caused them

The outbox worker binds it again while delivering the event, so the log lines of a notice (and the
Telegram call it makes) carry the id of the shopper's message or the webhook that caused it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("turn_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("turn_id")
