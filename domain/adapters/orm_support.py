"""Support tables: tickets and their messages."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from domain.adapters.orm_base import JSONType, UTCDateTime, _enum, _fk, _pk, metadata
from domain.model.support import AuthorKind, TicketStatus

support_tickets = Table(
    "support_tickets",
    metadata,
    _pk(),
    _fk("customer_id", "customers.id"),
    Column("channel", String(16), nullable=False),
    Column("chat_id", String(200), nullable=False),
    Column("subject", String(200), nullable=False, default=""),
    Column("context", JSONType, nullable=False, default=dict),
    Column("status", _enum(TicketStatus, "ticket_status"), nullable=False, index=True),
    Column("assignee", String(120), nullable=True),
    Column("external_thread", String(120), nullable=True, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("closed_at", UTCDateTime, nullable=True),
    Index("ix_support_tickets_chat_status", "channel", "chat_id", "status"),
)

support_messages = Table(
    "support_messages",
    metadata,
    _pk(),
    _fk("ticket_id", "support_tickets.id", ondelete="CASCADE"),
    Column("author_kind", _enum(AuthorKind, "author_kind"), nullable=False),
    Column("author", String(120), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
