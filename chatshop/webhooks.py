"""Outbound webhooks and automation rules in a running shop: the outbox fan-out, the delivery worker,
disabling a subscription that keeps failing (through the domain, so the ops channel hears of it), and the
outbox subscriber that runs automation rules on their trigger events."""

from __future__ import annotations

import logging
from datetime import timedelta

from chatshop.bootstrap import Shop
from chatshop.runtime import Runtime
from chatshop.settings import Settings
from domain.adapters.webhooks_delivery import WebhookFanout, WebhookWorker, prune_deliveries
from domain.adapters.webhooks_http import WebhookSender
from domain.adapters.webhooks_uow import SqlWebhookUnitOfWork
from domain.causation import current_cause_depth
from domain.commands import SYSTEM
from domain.commands_automation import RetryAutomationAction, RunAutomations
from domain.commands_webhooks import DisableWebhookSubscription
from domain.events import AutomationActionRetry, Event
from domain.model.automation import TRIGGERS
from domain.model.webhooks import RetryPolicy

log = logging.getLogger(__name__)
FANOUT = "webhooks-fanout"
AUTOMATION = "automation-rules"
AUTOMATION_RETRY = "automation-retries"


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.webhooks_max_attempts,
        first_delay=timedelta(seconds=settings.webhooks_first_retry_seconds),
        disable_after=timedelta(hours=settings.webhooks_disable_after_hours),
    )


def subscribe_fanout(shop: Shop) -> None:
    """Every committed event becomes one delivery row per matching subscription (after commit, once)."""
    shop.outbox.subscribe(FANOUT, WebhookFanout(shop.sessions, shop.views, shop.clock))


def build_worker(shop: Shop, sender: WebhookSender | None = None) -> WebhookWorker:
    settings = shop.settings

    async def disable(subscription_id: int, reason: str) -> None:
        await shop.bus.handle(DisableWebhookSubscription(subscription_id, actor=SYSTEM, reason=reason))

    return WebhookWorker(
        shop.sessions,
        shop.clock,
        sender
        or WebhookSender(
            settings.webhooks_timeout_seconds, settings.webhooks_allow_private, settings.webhooks_concurrency
        ),
        retry_policy(settings),
        on_failing=disable,
        lease=timedelta(seconds=settings.webhooks_lease_seconds),
        concurrency=settings.webhooks_concurrency,
        name=shop.outbox.name,
    )


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


def add_webhooks(runtime: Runtime, shop: Shop) -> WebhookWorker:
    """For ``chatshop run``: the fan-out on the outbox and the delivery worker, from start to stop."""
    # Campaign wiring may have switched the unit of work to its own; commands need the webhook repository.
    sessions, clock = shop.sessions, shop.clock
    shop.bus.ctx.uow = lambda: SqlWebhookUnitOfWork(sessions, clock)
    subscribe_fanout(shop)
    subscribe_automations(shop)
    worker = build_worker(shop)
    runtime.add_worker("webhooks", lambda stop: worker.run(stop, idle_seconds=shop.settings.outbox_poll_seconds))
    runtime.on_stop(worker.sender.aclose)

    async def prune() -> None:
        keep = timedelta(days=shop.settings.outbox_retention_days)
        pruned = await prune_deliveries(shop.sessions, shop.clock.now() - keep)
        if pruned:
            log.info("pruned %d delivered webhooks", pruned)

    runtime.add_job("prune-webhooks", timedelta(hours=6), prune)
    return worker
