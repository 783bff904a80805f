"""Opaque cursors: the last row's sort key, base64 JSON. A cursor from another list, or made up, is a 422."""

from __future__ import annotations

import base64
import binascii
import json

from domain.errors import ValidationFailed


def encode_cursor(kind: str, when: str, row_id: int) -> str:
    raw = json.dumps([kind, when, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str) -> tuple[str, int] | None:
    if cursor is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        got_kind, when, row_id = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise ValidationFailed("The cursor is not one this API gave out.") from exc
    if got_kind != kind or not isinstance(when, str) or not isinstance(row_id, int) or isinstance(row_id, bool):
        raise ValidationFailed("The cursor belongs to another list or another order of this one.")
    return when, row_id
