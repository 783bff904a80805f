"""Outbound webhooks and automation rules in a running shop: the outbox fan-out, the delivery worker,
disabling a subscription that keeps failing (through the domain, so the ops channel hears of it), and the
outbox subscriber that runs automation rules on their trigger events."""

from __future__ import annotations

import logging
from datetime import timedelta

from chatshop.bootstrap import Shop
from chatshop.runtime import Runtime
from chatshop.settings import Settings
from chatshop.subscribers.webhooks import subscribe_automations, subscribe_fanout
from domain.adapters.webhooks_delivery import WebhookWorker, prune_deliveries
from domain.adapters.webhooks_http import WebhookSender
from domain.commands import SYSTEM
from domain.commands_webhooks import DisableWebhookSubscription
from domain.model.webhooks import RetryPolicy

log = logging.getLogger(__name__)


def retry_policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(
        max_attempts=settings.webhooks_max_attempts,
        first_delay=timedelta(seconds=settings.webhooks_first_retry_seconds),
        disable_after=timedelta(hours=settings.webhooks_disable_after_hours),
    )


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


def add_webhooks(runtime: Runtime, shop: Shop) -> WebhookWorker:
    """For ``chatshop run``: the fan-out on the outbox and the delivery worker, from start to stop."""
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
