"""web chat history: the last messages of each web chat, so a restart or a reload keeps open chats

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-12 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import domain.adapters.orm

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webchat_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("entry", sa.Text(), nullable=False),
        sa.Column("notice_id", sa.String(length=32), nullable=True),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("created_at", domain.adapters.orm.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webchat_messages")),
    )
    op.create_index("ix_webchat_messages_chat_id_id", "webchat_messages", ["chat_id", "id"], unique=False)
    op.create_index("ix_webchat_messages_created_at", "webchat_messages", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_webchat_messages_created_at", table_name="webchat_messages")
    op.drop_index("ix_webchat_messages_chat_id_id", table_name="webchat_messages")
    op.drop_table("webchat_messages")
