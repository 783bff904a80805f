"""Other sales channels (a marketplace, a till, the phone) whose orders come in through the admin API."""

from __future__ import annotations

import re

EXTERNAL_PROVIDER = "external"  # money taken by the other channel: no provider the shop can ask to refund it
CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,15}$")
OWN_CHANNELS = frozenset({"webchat", "telegram", "slack", "email", "cli"})
