"""Payments: provider calls that follow a payment change, after commit."""

from __future__ import annotations

from typing import Any

from chatshop.subscribers.spec import listing
from domain.adapters.outbox import OutboxWorker
from domain.events import Event
from domain.service_layer.context import Context
from domain.service_layer.handlers.payments import PAYMENT_SUBSCRIBERS

SUBSCRIBERS = listing(
    "payments",
    *(
        (name, {kind.__name__}, (handler.__doc__ or name).strip())
        for name, (handler, kind) in PAYMENT_SUBSCRIBERS.items()
    ),
)


def register(outbox: OutboxWorker, ctx: Context) -> None:
    """Closing the other checkout sessions at the provider, automatic refunds (every process)."""
    for name, (handler, event_type) in PAYMENT_SUBSCRIBERS.items():

        async def deliver(event_id: str, event: Event, handler: Any = handler) -> None:
            await handler(event, ctx)

        outbox.subscribe(name, deliver, events={event_type.__name__})
