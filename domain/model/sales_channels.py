"""Other sales channels (a marketplace, a till, the phone) whose orders come in through the admin API."""

from __future__ import annotations

import re

EXTERNAL_PROVIDER = "external"  # money taken by the other channel: no provider the shop can ask to refund it
CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,15}$")
OWN_CHANNELS = frozenset({"webchat", "telegram", "slack", "email", "cli"})


def external_key(channel: str, external_id: str) -> str:
    """The order's idempotency key: unique per (channel, id there) by the orders table's unique index."""
    return f"external:{channel}:{external_id}"


def external_id_of(channel: str, idempotency_key: str | None) -> str | None:
    prefix = external_key(channel, "")
    key = idempotency_key or ""
    return key.removeprefix(prefix) if key.startswith(prefix) else None
