"""Web chat delivery: the message goes to the outbox as ``MarketingMessage`` in the same transaction that
marks the delivery sent (exactly once into the outbox); the web chat shows it on open sockets or keeps it
for the next visit (at least once from there, like every outbox notification)."""

from __future__ import annotations

from typing import Any, Protocol

from bots.campaigns.transport import Message
from domain import commands as c
from domain.model.campaigns import SendOutcome


class Bus(Protocol):
    async def handle(self, command: c.Command) -> Any: ...


class OutboxChatTransport:
    def __init__(self, bus: Bus, worker: str) -> None:
        self.bus = bus
        self.worker = worker

    async def send(self, message: Message) -> SendOutcome:
        publish = c.PublishMarketingMessage(message.delivery_id, self.worker, message.skus, message.checkout)
        queued = await self.bus.handle(publish)
        # False: the lease was lost meanwhile; the store will not book it either, so it stays unknown.
        return SendOutcome.sent() if queued else SendOutcome.failed("delivery no longer ours")
