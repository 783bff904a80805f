"""What goes on the wire for a webhook: its ``webhook-id`` and its JSON body (the exact text signed)."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

_MESSAGE_IDS = uuid.UUID("5f1d8a0e-3c1b-4f7e-9a57-2f6b1c8d9e10")


def message_id(event_id: str, subscription_id: int) -> str:
    """The ``webhook-id``: one per (event, subscription), the same on every attempt and redelivery."""
    return "msg_" + uuid.uuid5(_MESSAGE_IDS, f"{event_id}:{subscription_id}").hex


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def to_json(value: Any) -> str:
    return json.dumps(value, default=_plain, separators=(",", ":"), ensure_ascii=False)
