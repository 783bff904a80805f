"""The staff console's tables (migration 0018): staff passwords and sign-in sessions.

``staff_passwords`` keeps an argon2 hash per staff member (never the password) and the language their console
speaks. ``staff_sessions`` keeps a SHA-256 of each session's cookie value (the cookie has 256 random bits) with
the session's CSRF token and when it ends; signing out deletes the row."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table

from domain.adapters.orm_base import UTCDateTime, _fk, _pk, metadata

staff_passwords = Table(
    "staff_passwords",
    metadata,
    _pk(),
    _fk("staff_id", "staff_members.id", index=False, ondelete="CASCADE"),
    Column("password_hash", String(255), nullable=False),
    Column("locale", String(8), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_staff_passwords_staff_id", "staff_id", unique=True),
)

staff_sessions = Table(
    "staff_sessions",
    metadata,
    _pk(),
    Column("token_hash", String(64), nullable=False, unique=True),
    _fk("staff_id", "staff_members.id", ondelete="CASCADE"),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_staff_sessions_expires_at", "expires_at"),
)
