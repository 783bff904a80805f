"""Webhook subscription commands: add, disable/enable, rotate the secret, redeliver.

The repository comes with the unit of work (``uow.webhooks``, see ``domain/adapters/unit_of_work.py``).
Deliveries themselves are made and sent outside any command (``domain/adapters/webhooks_delivery.py``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain import commands_webhooks as w
from domain import events
from domain.errors import NotFound, ValidationFailed
from domain.model.staff import Permission
from domain.model.webhooks import INTERNAL_EVENTS, WebhookSubscription, check_event_types, check_url, new_secret
from domain.repositories import WebhookRepository
from domain.service_layer.context import Context

MAX_GRACE = timedelta(days=7)


def public_event_types() -> frozenset[str]:
    """Every event a subscription may name: all the domain's events but our internal plumbing."""
    return frozenset(events.Event.registry) - INTERNAL_EVENTS


async def _get(repo: WebhookRepository, subscription_id: int) -> WebhookSubscription:
    sub = await repo.get(subscription_id, lock=True)
    if sub is None:
        raise NotFound(f"There is no webhook subscription {subscription_id}.")
    return sub


async def add_subscription(cmd: w.AddWebhookSubscription, ctx: Context) -> tuple[int, str]:
    cmd.actor.require(Permission.MANAGE_INTEGRATIONS)
    now = ctx.now()
    sub = WebhookSubscription(
        url=check_url(cmd.url),
        event_types=check_event_types(cmd.event_types, public_event_types()),
        secret=new_secret(),
        created_at=now,
        description=cmd.description.strip()[:200],
    )
    async with ctx.uow() as uow:
        sub_id = await uow.webhooks.add(sub, now)
        await uow.commit()
    return sub_id, sub.secret


async def disable_subscription(cmd: w.DisableWebhookSubscription, ctx: Context) -> bool:
    """False when it was already disabled."""
    cmd.actor.require(Permission.MANAGE_INTEGRATIONS)
    async with ctx.uow() as uow:
        repo = uow.webhooks
        sub = await _get(repo, cmd.subscription_id)
        now = ctx.now()
        if not sub.disable(now, cmd.reason):
            return False
        assert sub.id is not None
        await repo.save(sub, now)
        uow.publish(events.WebhookSubscriptionDisabled(sub.id, sub.url, cmd.reason, cmd.actor.name))
        await uow.commit()
        return True


async def enable_subscription(cmd: w.EnableWebhookSubscription, ctx: Context) -> None:
    cmd.actor.require(Permission.MANAGE_INTEGRATIONS)
    async with ctx.uow() as uow:
        repo = uow.webhooks
        sub = await _get(repo, cmd.subscription_id)
        sub.enable()
        await repo.save(sub, ctx.now())
        await uow.commit()


async def rotate_secret(cmd: w.RotateWebhookSecret, ctx: Context) -> str:
    cmd.actor.require(Permission.MANAGE_INTEGRATIONS)
    grace = timedelta(seconds=cmd.grace_seconds)
    if grace > MAX_GRACE:
        raise ValidationFailed("The old secret may keep signing for at most 7 days.")
    async with ctx.uow() as uow:
        repo = uow.webhooks
        sub = await _get(repo, cmd.subscription_id)
        now = ctx.now()
        secret = sub.rotate(now, grace)
        await repo.save(sub, now)
        await uow.commit()
        return secret


async def redeliver(cmd: w.RedeliverWebhook, ctx: Context) -> None:
    cmd.actor.require(Permission.MANAGE_INTEGRATIONS)
    async with ctx.uow() as uow:
        if not await uow.webhooks.requeue(cmd.delivery_id, ctx.now()):
            raise NotFound(f"There is no webhook delivery {cmd.delivery_id}.")
        await uow.commit()


HANDLERS: dict[type[Any], Any] = {
    w.AddWebhookSubscription: add_subscription,
    w.DisableWebhookSubscription: disable_subscription,
    w.EnableWebhookSubscription: enable_subscription,
    w.RotateWebhookSecret: rotate_secret,
    w.RedeliverWebhook: redeliver,
}
