"""Outbound webhook subscriptions: where events go, which ones, and the secret that signs them.

Plain Python. Signing follows the Standard Webhooks specification (the adapter signs with the
``standardwebhooks`` package); a secret is ``whsec_`` + base64 of 32 random bytes. Rotating a secret keeps
the previous one for a grace period, during which every delivery carries both signatures, so a receiver
can switch keys without losing a message.
"""

from __future__ import annotations

import base64
import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from domain.errors import ValidationFailed

SECRET_PREFIX = "whsec_"
ALL_EVENTS = "*"
# Plumbing between our own parts, not facts another system should hear about (a campaign's chat text, a
# payment session to close, a test message, a chat that became reachable again).
INTERNAL_EVENTS = frozenset(
    {"MarketingMessage", "CampaignTestRequested", "PaymentSessionClosed", "ChannelReachable", "PaymentLinkCreated"}
    | {"OrderNoteAdded"}  # staff notes stay with staff (the console's timeline)
)
MAX_URL_LENGTH = 2000


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def check_url(url: str) -> str:
    """An absolute http(s) URL without credentials in it, or ``ValidationFailed`` saying what is wrong."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(f"A webhook URL must start with https:// (or http://) and name a host: {url!r}")
    if parts.username or parts.password:
        raise ValidationFailed("A webhook URL must not carry a user name or password; the signature authenticates.")
    if len(url) > MAX_URL_LENGTH:
        raise ValidationFailed(f"A webhook URL may have at most {MAX_URL_LENGTH} characters.")
    return url


def check_event_types(wanted: tuple[str, ...], known: frozenset[str]) -> tuple[str, ...]:
    """``("*",)`` or the named event types, each one we publish; sorted, without repeats."""
    names = tuple(sorted({w.strip() for w in wanted if w.strip()}))
    if not names:
        raise ValidationFailed("Name the event types to send (e.g. OrderPaid,OrderShipped) or * for all.")
    if ALL_EVENTS in names:
        if len(names) > 1:
            raise ValidationFailed("* already means every event; don't list others beside it.")
        return names
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValidationFailed(f"Unknown event type(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
    return names


@dataclass
class WebhookSubscription:
    url: str
    event_types: tuple[str, ...]
    secret: str
    created_at: datetime
    description: str = ""
    active: bool = True
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None
    failing_since: datetime | None = None
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    id: int | None = None

    def wants(self, event_type: str) -> bool:
        if not self.active or event_type in INTERNAL_EVENTS:
            return False
        return ALL_EVENTS in self.event_types or event_type in self.event_types

    def secrets_at(self, now: datetime) -> tuple[str, ...]:
        """The secrets a delivery is signed with now: the current one, and the previous within its grace."""
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            return (self.secret, self.previous_secret)
        return (self.secret,)

    def rotate(self, now: datetime, grace: timedelta) -> str:
        if grace < timedelta(0):
            raise ValidationFailed("The grace period can't be negative.")
        self.previous_secret = self.secret
        self.previous_secret_until = now + grace
        self.secret = new_secret()
        return self.secret

    def disable(self, now: datetime, reason: str) -> bool:
        """False when it already was disabled (nothing changes)."""
        if not self.active:
            return False
        self.active = False
        self.disabled_at = now
        self.disabled_reason = reason
        return True

    def enable(self) -> None:
        self.active = True
        self.disabled_at = None
        self.disabled_reason = None
        self.failing_since = None


@dataclass(frozen=True)
class RetryPolicy:
    """When to try a failed delivery again: exponential back-off from ``first_delay`` with +-``jitter``.

    The defaults make 8 attempts over about 4 hours (2+4+8+...+128 minutes between them)."""

    max_attempts: int = 8
    first_delay: timedelta = timedelta(minutes=2)
    jitter: float = 0.2
    disable_after: timedelta = timedelta(hours=24)
    rng: random.Random = field(default_factory=random.Random, compare=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")

    def delay_after(self, attempt: int) -> timedelta | None:
        """How long to wait after failed attempt number ``attempt`` (1-based); None: it was the last."""
        if attempt >= self.max_attempts:
            return None
        base = self.first_delay.total_seconds() * 2 ** (attempt - 1)
        return timedelta(seconds=base * self.rng.uniform(1 - self.jitter, 1 + self.jitter))
