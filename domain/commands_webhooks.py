"""Commands for outbound webhook subscriptions (issue 18). Each carries the actor the domain checks."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.commands import Command
from domain.model.staff import Actor


@dataclass(frozen=True)
class AddWebhookSubscription(Command):
    """Subscribe ``url`` to ``event_types`` (event names such as ``OrderPaid``, or ``("*",)`` for all).

    The handler returns ``(subscription id, secret)``; the secret is shown once, by whoever added it."""

    url: str
    event_types: tuple[str, ...]
    actor: Actor = field(kw_only=True)
    description: str = ""


@dataclass(frozen=True)
class DisableWebhookSubscription(Command):
    subscription_id: int
    actor: Actor = field(kw_only=True)
    reason: str = "disabled by staff"


@dataclass(frozen=True)
class EnableWebhookSubscription(Command):
    subscription_id: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class RotateWebhookSecret(Command):
    """A new secret; the old one still signs (beside the new) for ``grace_seconds``. Returns the new secret."""

    subscription_id: int
    actor: Actor = field(kw_only=True)
    grace_seconds: int = 24 * 3600


@dataclass(frozen=True)
class RedeliverWebhook(Command):
    """Send a delivery again (dead or delivered) with the same ``webhook-id`` and body, attempts from zero."""

    delivery_id: int
    actor: Actor = field(kw_only=True)
