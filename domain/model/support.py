"""Support tickets: a shopper handed off to a human, with the conversation attached."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.errors import ValidationFailed


class TicketStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class AuthorKind(StrEnum):
    SHOPPER = "shopper"
    AGENT = "agent"
    BOT = "bot"


class SupportTicket:
    def __init__(
        self, customer_id: int, channel: str, chat_id: str, subject: str, context: dict[str, Any], at: datetime
    ) -> None:
        self.id: int | None = None
        self.customer_id = customer_id
        self.channel = channel
        self.chat_id = chat_id
        self.subject = subject[:200]
        self.context = dict(context)  # cart, recent orders, transcript at the moment of hand-off
        self.status = TicketStatus.OPEN
        self.assignee: str | None = None
        self.external_thread: str | None = None  # e.g. the Slack thread ts
        self.created_at = at
        self.updated_at = at
        self.closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status == TicketStatus.OPEN

    def close(self, at: datetime) -> None:
        if not self.is_open:
            raise ValidationFailed(f"Ticket #{self.id} is already closed.")
        self.status = TicketStatus.CLOSED
        self.closed_at = at
        self.updated_at = at


class SupportMessage:
    def __init__(self, ticket_id: int, author_kind: AuthorKind, author: str, text: str, at: datetime) -> None:
        text = text.strip()
        if not text:
            raise ValidationFailed("An empty message can't be sent.")
        self.id: int | None = None
        self.ticket_id = ticket_id
        self.author_kind = author_kind
        self.author = author[:120]
        self.text = text[:4000]
        self.created_at = at
