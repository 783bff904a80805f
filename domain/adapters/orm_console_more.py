"""More of the staff console's tables (migration 0023).

``order_events`` keeps every domain event that names an order, written in the transaction that caused it, with
who did it: the order page's timeline. The outbox holds the same events only until they are delivered and
pruned, so it cannot be the history. ``console_saved_views`` are a staff member's named order-list filters.
``staff_totp`` holds a staff member's TOTP secret (a second factor), confirmed once a code from it was typed, and
the last time step used so that a code is good only once, and the sign-in waiting for a code."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, String, Table, UniqueConstraint

from domain.adapters.orm_base import JSONType, UTCDateTime, _fk, _pk, metadata

order_events = Table(
    "order_events",
    metadata,
    _pk(),
    Column("order_id", BigInteger, nullable=False),
    Column("name", String(80), nullable=False),
    Column("actor", String(120), nullable=False, default=""),
    Column("payload", JSONType, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    Index("ix_order_events_order_id", "order_id", "id"),
)

console_saved_views = Table(
    "console_saved_views",
    metadata,
    _pk(),
    _fk("staff_id", "staff_members.id", index=False, ondelete="CASCADE"),
    Column("name", String(80), nullable=False),
    Column("query", String(1000), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("staff_id", "name", name="uq_console_saved_views_staff_id_name"),
)

staff_totp = Table(
    "staff_totp",
    metadata,
    _pk(),
    _fk("staff_id", "staff_members.id", index=False, ondelete="CASCADE"),
    Column("secret", String(128), nullable=False),  # sealed: v1:<base64url>, 83 characters
    Column("confirmed_at", UTCDateTime, nullable=True),
    Column("last_step", BigInteger, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    # A sign-in whose password was right and whose code is awaited: a SHA-256 of its cookie, and until when.
    Column("pending_hash", String(64), nullable=True, unique=True),
    Column("pending_until", UTCDateTime, nullable=True),
    Index("ix_staff_totp_staff_id", "staff_id", unique=True),
)
