"""Webhook subscriptions (list, get, create, disable, enable, rotate secret) and their deliveries
(list with attempts, redeliver): thin over the webhook commands and views."""

from __future__ import annotations

from admin_api.rest import schemas as s
from admin_api.rest.deps import deps
from admin_api.rest.pagination import decode_cursor, encode_cursor
from admin_api.rest.registry import Call, Reply, path_int
from admin_api.rest.routes import API
from domain.commands_webhooks import (
    AddWebhookSubscription,
    DisableWebhookSubscription,
    EnableWebhookSubscription,
    RedeliverWebhook,
    RotateWebhookSecret,
)
from domain.errors import NotFound

SUB = {"subscription_id": "the subscription's id"}
DELIVERY = {"delivery_id": "the delivery's id"}


async def load_subscription(call: Call, subscription_id: int) -> s.WebhookSubscriptionOut:
    for sub in await deps(call.request).webhooks.subscriptions():
        if sub.id == subscription_id:
            return s.subscription_out(sub)
    raise NotFound(f"There is no webhook subscription {subscription_id}.")


@API.operation(
    "GET",
    "/webhooks",
    scope="webhooks:read",
    summary="List webhook subscriptions",
    tag="webhooks",
    responses={200: s.WebhookSubscriptionList},
    description="Every subscription (a shop has a handful), with what waits and what is dead; never the secrets.",
)
async def list_webhooks(call: Call) -> Reply:
    subs = await deps(call.request).webhooks.subscriptions()
    return Reply(200, s.WebhookSubscriptionList(items=[s.subscription_out(x) for x in subs]))


@API.operation(
    "POST",
    "/webhooks",
    scope="webhooks:write",
    summary="Subscribe a URL to events",
    tag="webhooks",
    body=s.WebhookSubscriptionIn,
    responses={201: s.WebhookSecretOut},
    description="Answers the signing secret once (Standard Webhooks, `whsec_…`). Private, loopback and "
    "link-local addresses are refused unless the server allows them.",
)
async def create_webhook(call: Call) -> Reply:
    b: s.WebhookSubscriptionIn = call.body
    command = AddWebhookSubscription(b.url, tuple(b.event_types), actor=call.actor, description=b.description)
    sub_id, secret = await deps(call.request).bus.handle(command)
    return Reply(201, s.WebhookSecretOut(subscription=await load_subscription(call, int(sub_id)), secret=str(secret)))


@API.operation(
    "GET",
    "/webhooks/{subscription_id}",
    scope="webhooks:read",
    summary="Get a webhook subscription",
    tag="webhooks",
    path_params=SUB,
    responses={200: s.WebhookSubscriptionOut},
)
async def get_webhook(call: Call) -> Reply:
    return Reply(200, await load_subscription(call, path_int(call, "subscription_id")))


@API.operation(
    "POST",
    "/webhooks/{subscription_id}/disable",
    scope="webhooks:write",
    summary="Stop sending to a subscription",
    tag="webhooks",
    path_params=SUB,
    responses={200: s.WebhookSubscriptionOut},
    description="Its deliveries wait until it is enabled again. Disabling a disabled one changes nothing.",
)
async def disable_webhook(call: Call) -> Reply:
    sub_id = path_int(call, "subscription_id")
    await deps(call.request).bus.handle(
        DisableWebhookSubscription(sub_id, actor=call.actor, reason=f"disabled by {call.actor.name}")
    )
    return Reply(200, await load_subscription(call, sub_id))


@API.operation(
    "POST",
    "/webhooks/{subscription_id}/enable",
    scope="webhooks:write",
    summary="Send to a subscription again",
    tag="webhooks",
    path_params=SUB,
    responses={200: s.WebhookSubscriptionOut},
)
async def enable_webhook(call: Call) -> Reply:
    sub_id = path_int(call, "subscription_id")
    await deps(call.request).bus.handle(EnableWebhookSubscription(sub_id, actor=call.actor))
    return Reply(200, await load_subscription(call, sub_id))


@API.operation(
    "POST",
    "/webhooks/{subscription_id}/rotate-secret",
    scope="webhooks:write",
    summary="Rotate a subscription's signing secret",
    tag="webhooks",
    path_params=SUB,
    body=s.RotateSecretIn,
    responses={200: s.WebhookSecretOut},
    description="Answers the new secret once; the old one still signs, beside it, for `grace_seconds`.",
)
async def rotate_webhook_secret(call: Call) -> Reply:
    sub_id = path_int(call, "subscription_id")
    b: s.RotateSecretIn = call.body
    command = RotateWebhookSecret(sub_id, actor=call.actor, grace_seconds=b.grace_seconds)
    secret = await deps(call.request).bus.handle(command)
    return Reply(200, s.WebhookSecretOut(subscription=await load_subscription(call, sub_id), secret=str(secret)))


@API.operation(
    "GET",
    "/webhooks/{subscription_id}/deliveries",
    scope="webhooks:read",
    summary="A subscription's deliveries with their attempts",
    tag="webhooks",
    path_params=SUB,
    query=s.DeliveryListQuery,
    responses={200: s.WebhookDeliveryPage},
    description="Newest first; each with its attempt log (status code, latency, error).",
)
async def list_webhook_deliveries(call: Call) -> Reply:
    sub_id = path_int(call, "subscription_id")
    q: s.DeliveryListQuery = call.query
    await load_subscription(call, sub_id)  # a 404 for a subscription that isn't there, not an empty page
    after = decode_cursor(q.cursor, "webhook-deliveries")
    views = deps(call.request).webhooks
    rows = await views.deliveries(sub_id, q.status, q.limit + 1, after[1] if after else None)
    page = rows[: q.limit]
    attempts = await views.attempts_of([d.id for d in page])
    cursor = encode_cursor("webhook-deliveries", "", page[-1].id) if len(rows) > q.limit else None
    items = [s.delivery_out(d, attempts[d.id]) for d in page]
    return Reply(200, s.WebhookDeliveryPage(items=items, next_cursor=cursor))


@API.operation(
    "POST",
    "/webhook-deliveries/{delivery_id}/redeliver",
    scope="webhooks:write",
    summary="Send a delivery again",
    tag="webhooks",
    path_params=DELIVERY,
    responses={202: s.WebhookDeliveryOut},
    description="Dead or delivered, it is queued again with the same `webhook-id` and body, attempts from zero.",
)
async def redeliver_webhook(call: Call) -> Reply:
    delivery_id = path_int(call, "delivery_id")
    d = deps(call.request)
    await d.bus.handle(RedeliverWebhook(delivery_id, actor=call.actor))
    # Newest first below delivery_id + 1: the delivery itself (it exists, the command just requeued it).
    (row,) = await d.webhooks.deliveries(limit=1, before_id=delivery_id + 1)
    attempts = await d.webhooks.attempts_of([row.id])
    return Reply(202, s.delivery_out(row, attempts[row.id]))
