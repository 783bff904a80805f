"""The admin API's tables (migration 0014): API keys and the responses kept for ``Idempotency-Key``.

``api_keys`` keeps a SHA-256 of each key, never the key (it is shown once, when made); ``prefix`` is the key's
first characters, shown in listings so a person can tell keys apart. ``api_idempotency`` keeps the first
response to each (key, Idempotency-Key) with a hash of the request that made it, until ``expires_at``."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, LargeBinary, String, Table, UniqueConstraint

from domain.adapters.orm_base import JSONType, UTCDateTime, _fk, _pk, metadata

api_keys = Table(
    "api_keys",
    metadata,
    _pk(),
    Column("name", String(120), nullable=False),
    Column("prefix", String(16), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("scopes", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_used_at", UTCDateTime, nullable=True),
    Column("revoked_at", UTCDateTime, nullable=True),
)

api_idempotency = Table(
    "api_idempotency",
    metadata,
    _pk(),
    _fk("api_key_id", "api_keys.id", index=False, ondelete="CASCADE"),
    Column("idempotency_key", String(255), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("content_type", String(80), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    UniqueConstraint("api_key_id", "idempotency_key", name="uq_api_idempotency_key"),
    Index("ix_api_idempotency_expires_at", "expires_at"),
)
