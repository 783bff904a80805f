"""Outbound webhooks and automation rules: the fan-out of every event to webhook subscriptions, and the
rules run on their trigger events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chatshop.subscribers.spec import listing
from domain.adapters.webhooks_delivery import WebhookFanout
from domain.causation import current_cause_depth
from domain.commands_automation import RetryAutomationAction, RunAutomations
from domain.events import AutomationActionRetry, Event
from domain.model.automation import TRIGGERS

if TYPE_CHECKING:
    from chatshop.bootstrap import Shop

FANOUT = "webhooks-fanout"
AUTOMATION = "automation-rules"
AUTOMATION_RETRY = "automation-retries"

SUBSCRIBERS = listing(
    "webhooks",
    (FANOUT, None, "one delivery row per matching webhook subscription (every event, once)"),
    (AUTOMATION, TRIGGERS, "runs the automation rules whose trigger is the event (once per rule and event)"),
    (AUTOMATION_RETRY, {AutomationActionRetry.__name__}, "tries again an action the order couldn't take yet"),
)


def subscribe_fanout(shop: Shop) -> None:
    """Every committed event becomes one delivery row per matching subscription (after commit, once)."""
    shop.outbox.subscribe(FANOUT, WebhookFanout(shop.sessions, shop.views, shop.clock))


def subscribe_automations(shop: Shop) -> None:
    """Automation rules run on their trigger events after commit (at most once per rule and event), at the
    event's depth (bound by the outbox); actions the order couldn't take yet are tried again when due."""
    max_depth = shop.settings.automation_max_depth

    async def run(event_id: str, event: Event) -> None:
        depth = current_cause_depth()
        await shop.bus.handle(RunAutomations(event_id, event.name, event.to_dict(), depth, max_depth))

    async def retry(event_id: str, event: Event) -> None:
        assert isinstance(event, AutomationActionRetry)
        await shop.bus.handle(
            RetryAutomationAction(
                event.rule,
                event.source_event_id,
                event.event_type,
                event.payload,
                event.action,
                event.attempt,
                retry_id=event_id,
            )
        )

    shop.outbox.subscribe(AUTOMATION, run, events=set(TRIGGERS))
    shop.outbox.subscribe(AUTOMATION_RETRY, retry, events={AutomationActionRetry.__name__})
