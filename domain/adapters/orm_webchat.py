"""``webchat_messages`` (migration 0011): the web chat's recent history per chat, for shops without Redis, so a
restart (a deploy) or a reload restores the conversation and the notices that came while nobody was looking.

Each row is one history entry (a shopper's line, or one bot reply) as the JSON the widget renders. Bounded:
the last ``history_size`` rows per chat are kept and rows older than the retention are pruned
(``webchat_history.SqlChatHistory``)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, String, Table, Text

from domain.adapters.orm_base import UTCDateTime, _pk, metadata

webchat_messages = Table(
    "webchat_messages",
    metadata,
    _pk(),
    Column("chat_id", String(64), nullable=False),
    Column("entry", Text, nullable=False),  # JSON text: stored and handed back whole, never queried into
    Column("notice_id", String(32), nullable=True),  # rows of one notice (notification frame) share it
    Column("pending", Boolean, nullable=False, default=False),  # a notice no open socket has shown yet
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_webchat_messages_chat_id_id", "chat_id", "id"),
    Index("ix_webchat_messages_created_at", "created_at"),
)
