"""`chatshop webhook ...`: subscriptions (add, list, disable, enable, rotate-secret) and their deliveries.

Acts as a staff member (``--as``, ``$CHATSHOP_STAFF`` or the OS user, see ``cli_actor``); the domain lets
only admins manage webhooks. A secret is printed once, when it is made (``add``, ``rotate-secret``).
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chatshop.bootstrap import Shop
from chatshop.cli_actor import ActorOption, resolve_actor
from domain.adapters.webhooks_views import SqlWebhookViews
from domain.commands_webhooks import (
    AddWebhookSubscription,
    DisableWebhookSubscription,
    EnableWebhookSubscription,
    RedeliverWebhook,
    RotateWebhookSecret,
)
from domain.service_layer.handlers.webhooks import public_event_types

webhook_app = typer.Typer(help="Outbound webhooks: subscriptions and their deliveries.", no_args_is_help=True)
console = Console()


def _when(value: object) -> str:
    return "-" if value is None else str(value)[:19]


@webhook_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Where to POST, e.g. https://erp.example.com/hooks/chatshop")],
    events: Annotated[str, typer.Option(help="Comma-separated event types, or * for all.")] = "*",
    description: Annotated[str, typer.Option(help="A note for staff.")] = "",
    by: ActorOption = None,
) -> None:
    """Subscribe URL to events; prints the signing secret once (Standard Webhooks, whsec_…)."""
    from chatshop.cli import run

    async def go(shop: Shop) -> tuple[int, str]:
        actor = await resolve_actor(shop, by)
        command = AddWebhookSubscription(url, tuple(events.split(",")), actor=actor, description=description)
        sub_id, secret = await shop.bus.handle(command)
        return int(sub_id), str(secret)

    sub_id, secret = run(go)
    console.print(f"webhook {sub_id} subscribed; its signing secret (shown once): {secret}", soft_wrap=True)


@webhook_app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Subscriptions with what waits and what is dead (never their secrets)."""
    from chatshop.cli import run

    subs = run(lambda shop: SqlWebhookViews(shop.sessions).subscriptions())
    if as_json:
        console.print_json(json.dumps([{**s.__dict__, "event_types": list(s.event_types)} for s in subs], default=str))
        return
    table = Table("id", "url", "events", "active", "pending", "dead", "failing since", "note")
    for s in subs:
        note = s.disabled_reason or (f"old secret signs until {_when(s.rotating_until)}" if s.rotating_until else "")
        table.add_row(
            str(s.id),
            s.url,
            ",".join(s.event_types),
            "yes" if s.active else "no",
            str(s.pending),
            str(s.dead),
            _when(s.failing_since),
            note or s.description,
        )
    console.print(table)


@webhook_app.command("events")
def events() -> None:
    """The event types a subscription may name."""
    for name in sorted(public_event_types()):
        console.print(name)


@webhook_app.command("disable")
def disable(subscription_id: int, by: ActorOption = None) -> None:
    """Stop sending to a subscription (its deliveries wait until it is enabled)."""
    from chatshop.cli import run

    async def go(shop: Shop) -> bool:
        actor = await resolve_actor(shop, by)
        return bool(await shop.bus.handle(DisableWebhookSubscription(subscription_id, actor=actor)))

    console.print(f"webhook {subscription_id} {'disabled' if run(go) else 'was already disabled'}")


@webhook_app.command("enable")
def enable(subscription_id: int, by: ActorOption = None) -> None:
    """Send to a subscription again, starting with what waited."""
    from chatshop.cli import run

    async def go(shop: Shop) -> None:
        await shop.bus.handle(EnableWebhookSubscription(subscription_id, actor=await resolve_actor(shop, by)))

    run(go)
    console.print(f"webhook {subscription_id} enabled")


@webhook_app.command("rotate-secret")
def rotate_secret(
    subscription_id: int,
    grace_hours: Annotated[float, typer.Option(help="How long the old secret still signs, beside the new.")] = 24,
    by: ActorOption = None,
) -> None:
    """A new signing secret (printed once); both sign every delivery during the grace period."""
    from chatshop.cli import run

    async def go(shop: Shop) -> str:
        actor = await resolve_actor(shop, by)
        command = RotateWebhookSecret(subscription_id, actor=actor, grace_seconds=int(grace_hours * 3600))
        return str(await shop.bus.handle(command))

    secret = run(go)
    console.print(f"webhook {subscription_id} new signing secret (shown once): {secret}", soft_wrap=True)


@webhook_app.command("deliveries")
def deliveries(
    subscription: Annotated[int | None, typer.Option(help="Only this subscription.")] = None,
    status: Annotated[str | None, typer.Option(help="pending, succeeded or dead.")] = None,
    limit: int = 50,
    attempts: Annotated[int | None, typer.Option(help="Show the attempt log of this delivery.")] = None,
) -> None:
    """Deliveries newest first (or one delivery's attempts: status code, latency, error)."""
    from chatshop.cli import run

    if attempts is not None:
        log = run(lambda shop: SqlWebhookViews(shop.sessions).attempts(attempts))
        table = Table("attempt", "started", "status", "ms", "error")
        for a in log:
            table.add_row(str(a.attempt), _when(a.started_at), _when(a.status_code), str(a.latency_ms), a.error or "")
        console.print(table)
        return
    rows = run(lambda shop: SqlWebhookViews(shop.sessions).deliveries(subscription, status, limit))
    table = Table("id", "sub", "event", "webhook-id", "status", "attempts", "next", "last")
    for d in rows:
        last = d.last_error or (str(d.last_status_code) if d.last_status_code else "")
        table.add_row(
            str(d.id),
            str(d.subscription_id),
            d.event_type,
            d.message_id,
            d.status,
            str(d.attempts),
            _when(d.next_attempt_at),
            last,
        )
    console.print(table)


@webhook_app.command("redeliver")
def redeliver(delivery_id: int, by: ActorOption = None) -> None:
    """Send a delivery again (dead or not) with the same webhook-id and body."""
    from chatshop.cli import run

    async def go(shop: Shop) -> None:
        await shop.bus.handle(RedeliverWebhook(delivery_id, actor=await resolve_actor(shop, by)))

    run(go)
    console.print(f"delivery {delivery_id} queued again")
