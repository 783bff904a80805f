"""Outbound webhook tables (issue 18, migration 0015), read and written with SQLAlchemy Core by
``webhooks_repository`` and ``webhooks_delivery``.

``webhook_subscriptions``: where events go and the secrets that sign them.
``webhook_deliveries``: one row per (event, subscription), made after the event's transaction committed;
``message_id`` is the ``webhook-id`` header, the same on every attempt, and ``body`` the exact bytes signed.
``webhook_attempts``: the delivery log, one row per attempt (status code, latency, error).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from domain.adapters.orm_base import JSONType, UTCDateTime, _fk, _pk, metadata
from domain.adapters.orm_orders import orders

webhook_subscriptions = Table(
    "webhook_subscriptions",
    metadata,
    _pk(),
    Column("url", Text, nullable=False),
    Column("event_types", JSONType, nullable=False),
    Column("description", String(200), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("secret", String(120), nullable=False),
    Column("previous_secret", String(120), nullable=True),
    Column("previous_secret_until", UTCDateTime, nullable=True),
    Column("failing_since", UTCDateTime, nullable=True),
    Column("disabled_at", UTCDateTime, nullable=True),
    Column("disabled_reason", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    _pk(),
    _fk("subscription_id", "webhook_subscriptions.id", index=False, ondelete="CASCADE"),
    Column("event_id", String(36), nullable=False),
    Column("event_type", String(80), nullable=False),
    Column("message_id", String(64), nullable=False, unique=True),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending, succeeded, dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(80), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
    UniqueConstraint("event_id", "subscription_id", name="uq_webhook_deliveries_event_subscription"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_subscription_id_id", "subscription_id", "id"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    _pk(),
    _fk("delivery_id", "webhook_deliveries.id", ondelete="CASCADE"),
    _fk("subscription_id", "webhook_subscriptions.id", ondelete="CASCADE"),
    Column("attempt", Integer, nullable=False),
    Column("worker", String(80), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("status_code", Integer, nullable=True),
    Column("latency_ms", Integer, nullable=False),
    Column("error", Text, nullable=True),
)

# Inbound tracking updates find their order by tracking number (``webhooks_repository.orders_for_tracking``).
Index("ix_orders_tracking_number", orders.c.tracking_number)
