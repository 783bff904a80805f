from __future__ import annotations

import random
from datetime import timedelta

from chatshop.bootstrap import Shop
from chatshop.webhooks import subscribe_fanout
from domain.adapters.webhooks_delivery import WebhookWorker
from domain.adapters.webhooks_http import WebhookSender
from domain.commands import SYSTEM
from domain.commands_webhooks import AddWebhookSubscription, DisableWebhookSubscription
from domain.model.webhooks import RetryPolicy

# Seconds instead of minutes, no jitter: tests move the clock by exactly the back-off.
FAST = RetryPolicy(max_attempts=4, first_delay=timedelta(seconds=10), jitter=0.0, rng=random.Random(1))


async def subscribe(shop: Shop, url: str, *events: str) -> tuple[int, str]:
    sub_id, secret = await shop.bus.handle(AddWebhookSubscription(url, events or ("*",), actor=SYSTEM))
    return int(sub_id), str(secret)


def worker(
    shop: Shop,
    policy: RetryPolicy = FAST,
    timeout: float = 5.0,
    allow_private: bool = True,
    lease: timedelta = timedelta(seconds=60),
) -> WebhookWorker:
    async def disable(subscription_id: int, reason: str) -> None:
        await shop.bus.handle(DisableWebhookSubscription(subscription_id, actor=SYSTEM, reason=reason))

    sender = WebhookSender(timeout_seconds=timeout, allow_private=allow_private)
    return WebhookWorker(shop.sessions, shop.clock, sender, policy, on_failing=disable, lease=lease)


async def publish(shop: Shop) -> None:
    """The outbox delivers committed events, the fan-out among its subscribers."""
    if not any(s.name == "webhooks-fanout" for s in shop.outbox.subscriptions):
        subscribe_fanout(shop)
    await shop.outbox.drain()
