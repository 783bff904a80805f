"""Button payloads: short, versioned and signed, so a forged or outdated button is refused politely.

Wire form: ``<version>.<action>.<arg>.<arg>…~<mac>``, at most 64 bytes (Telegram's callback_data
limit). The MAC is a truncated HMAC-SHA256 over the body *and the chat*, so a payload copied from one
chat into another fails too. Arguments are short tokens (ids, codes), never free text.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

VERSION = "1"
MAX_BYTES = 64
_MAC_BYTES = 6  # 48 bits: enough against guessing a button within a chat, small enough for the limit
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


class BadPayload(Exception):
    """A payload that can't be acted on; ``reason`` is "forged", "stale" or "malformed"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Payload:
    action: str
    args: tuple[str, ...]

    def int_arg(self, index: int) -> int:
        try:
            value = int(self.args[index])
        except (IndexError, ValueError) as exc:
            raise BadPayload("malformed") from exc
        if value < 0 or value > 2**62:
            raise BadPayload("malformed")
        return value

    def str_arg(self, index: int) -> str:
        if index >= len(self.args):
            raise BadPayload("malformed")
        return self.args[index]


class PayloadCodec:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("chatshop-buttons:" + secret).encode()).digest()

    def _mac(self, body: str, chat: str) -> str:
        digest = hmac.new(self._key, f"{chat}\x00{body}".encode(), hashlib.sha256).digest()[:_MAC_BYTES]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def encode(self, chat: str, action: str, *args: str | int) -> str:
        parts = [VERSION, action, *(str(a) for a in args)]
        for part in parts:
            if not _TOKEN.match(part):
                raise ValueError(f"payload part {part!r} is not a short token")
        body = ".".join(parts)
        payload = f"{body}~{self._mac(body, chat)}"
        if len(payload.encode()) > MAX_BYTES:
            raise ValueError(f"payload {payload!r} is longer than {MAX_BYTES} bytes")
        return payload

    def decode(self, chat: str, payload: object) -> Payload:
        if not isinstance(payload, str) or not payload or len(payload) > MAX_BYTES * 2:
            raise BadPayload("malformed")
        body, sep, mac = payload.rpartition("~")
        if not sep or not body:
            raise BadPayload("malformed")
        parts = body.split(".")
        if len(parts) < 2 or not all(_TOKEN.match(p) for p in parts):
            raise BadPayload("malformed")
        if not hmac.compare_digest(mac.encode(), self._mac(body, chat).encode()):
            raise BadPayload("forged")
        if parts[0] != VERSION:
            raise BadPayload("stale")  # signed by us, but by an older (or newer) release of the bot
        return Payload(parts[1], tuple(parts[2:]))
