"""Assemble a ConversationEngine from the shop's parts (called by channels and the CLI at start-up)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bots.conversation.engine import ConversationEngine, TicketLookup
from bots.conversation.payloads import PayloadCodec
from bots.conversation.state import DEFAULT_TIMEOUT, MemoryStateStore, RedisStateStore, StateStore
from bots.conversation.turn import CommandBus, Services
from domain.ports import Clock
from domain.views.port import ShopViews
from nlu.interface import NluEngine


def ticket_lookup(uow_factory: Callable[[], Any]) -> TicketLookup:
    """Find the open hand-off ticket of a chat through the domain's support repository (read only)."""

    async def lookup(channel: str, chat_id: str) -> int | None:
        async with uow_factory().reading() as uow:  # a look: no write lock
            ticket = await uow.support.open_ticket_for_chat(channel, chat_id)
            return ticket.id if ticket is not None else None

    return lookup


def build_conversation_engine(
    *,
    bus: CommandBus,
    views: ShopViews,
    clock: Clock,
    nlu: NluEngine,
    secret_key: str,
    currency: str = "USD",
    tax_rate_bp: int = 0,
    redis_url: str | None = None,
    timeout: timedelta = DEFAULT_TIMEOUT,
    uow_factory: Callable[[], Any] | None = None,
) -> ConversationEngine:
    store: StateStore
    store = RedisStateStore.from_url(redis_url, clock, timeout) if redis_url else MemoryStateStore(clock, timeout)
    services = Services(bus, views, nlu, clock, PayloadCodec(secret_key), currency, tax_rate_bp)
    lookup = ticket_lookup(uow_factory) if uow_factory is not None else None
    return ConversationEngine(services, store, open_ticket_for_chat=lookup)
