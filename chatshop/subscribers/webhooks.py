"""Outbound webhooks and automation rules: the fan-out of every event to webhook subscriptions, and the
rules run on their trigger events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatshop.subscribers.spec import listing
from domain.adapters.webhooks_delivery import WebhookFanout
from domain.commands_automation import RunAutomations
from domain.events import Event
from domain.model.automation import TRIGGERS

if TYPE_CHECKING:
    from chatshop.bootstrap import Shop

FANOUT = "webhooks-fanout"
AUTOMATION = "automation-rules"

SUBSCRIBERS = listing(
    "webhooks",
    (FANOUT, None, "one delivery row per matching webhook subscription (every event, once)"),
    (AUTOMATION, TRIGGERS, "runs the automation rules whose trigger is the event (once per rule and event)"),
)


def subscribe_fanout(shop: Shop) -> None:
    """Every committed event becomes one delivery row per matching subscription (after commit, once)."""
    shop.outbox.subscribe(FANOUT, WebhookFanout(shop.sessions, shop.views, shop.clock))


def subscribe_automations(shop: Shop) -> None:
    """Automation rules run on their trigger events after commit (at most once per rule and event)."""

    async def run(event_id: str, event: Event) -> None:
        await shop.bus.handle(RunAutomations(event_id, event.name, event.to_dict()))

    shop.outbox.subscribe(AUTOMATION, run, events=set(TRIGGERS))
