"""What a button press carries back (callback_data, at most 64 bytes).

Two kinds share the field:
- the engine's compact signed payload (``1.action.args~mac``), passed through untouched: the engine
  checks the signature against the chat, so a forged or copied button is refused there;
- Telegram-only actions as typed aiogram ``CallbackData`` (prefix ``tg``), e.g. "pay with a Telegram
  invoice", which the engine knows nothing about. Their arguments are re-checked by the handler (an
  order id is useless to anyone but its owner).
"""

from __future__ import annotations

import re

from aiogram.filters.callback_data import CallbackData

MAX_CALLBACK_BYTES = 64
_ENGINE_PAYLOAD = re.compile(r"^[0-9]+\.[A-Za-z0-9_-]{1,40}(\.[A-Za-z0-9_-]{1,40})*~[A-Za-z0-9_-]{1,16}$")


class PayInvoice(CallbackData, prefix="tgi"):
    """Send a Telegram invoice for a pending order."""

    order_id: int


def is_engine_payload(data: str | None) -> bool:
    """Shape only (cheap, before the engine checks the MAC): junk never reaches the conversation state."""
    if not data:
        return False
    return len(data.encode()) <= MAX_CALLBACK_BYTES and bool(_ENGINE_PAYLOAD.match(data))


def action_of(payload: str) -> str:
    """The action name of an engine payload (unverified: used only to choose between edit and send)."""
    body = payload.rpartition("~")[0]
    parts = body.split(".")
    return parts[1] if len(parts) > 1 else ""
