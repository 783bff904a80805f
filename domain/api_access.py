"""What the admin API needs kept besides the shop: API keys (only a hash of each) and the first response to
each ``Idempotency-Key``. Plain records and the ports; SQL in ``domain.adapters.api_access``."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

KEY_PREFIX = "csk_"


def new_api_key() -> str:
    """A fresh key: ``csk_`` and 43 URL-safe characters (256 random bits)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """What is stored: a SHA-256 of the key (the key has 256 random bits, so no salt or stretching is needed)."""
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKeyRecord:
    id: int
    name: str
    prefix: str  # the key's first characters, to tell keys apart in a listing
    scopes: frozenset[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiKeyStore(Protocol):
    async def create(self, name: str, scopes: frozenset[str]) -> tuple[ApiKeyRecord, str]:
        """A new key; returns its record and the key itself (the only time anyone sees it)."""
        ...

    async def authenticate(self, key: str) -> ApiKeyRecord | None:
        """The active key's record (its last-used time kept), or None for an unknown or revoked key."""
        ...

    async def list(self) -> list[ApiKeyRecord]: ...

    async def revoke(self, name_or_id: str) -> ApiKeyRecord | None:
        """Revoke by name or id; None when there is no such active key."""
        ...


@dataclass(frozen=True)
class StoredResponse:
    request_hash: str
    status: int  # 0 while the first request is still being answered
    content_type: str
    body: bytes


class IdempotencyStore(Protocol):
    async def claim(self, api_key_id: int, key: str, request_hash: str) -> StoredResponse | None:
        """Take ``key`` for this request: None when it is new (now claimed), else what is held for it
        (a finished response to replay, or one in progress, or another request's hash)."""
        ...

    async def finish(self, api_key_id: int, key: str, status: int, content_type: str, body: bytes) -> None: ...

    async def release(self, api_key_id: int, key: str) -> None:
        """Forget a claim whose request failed unexpectedly, so a retry can run it again."""
        ...

    async def prune(self) -> int:
        """Drop expired records; returns how many."""
        ...
