"""Infrastructure tables not mapped to the model: the outbox, processed messages (idempotent consumers)
and job runs (one runner per schedule slot)."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text

from domain.adapters.orm_base import JSONType, UTCDateTime, _pk, metadata

outbox = Table(
    "outbox",
    metadata,
    _pk(),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("name", String(80), nullable=False),
    Column("payload", JSONType, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("available_at", UTCDateTime, nullable=False),
    Column("claimed_by", String(80), nullable=True),
    Column("claimed_until", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("delivered_at", UTCDateTime, nullable=True),
    # Set when delivery gave up after too many failed attempts (dead letter); ``chatshop outbox retry`` clears it.
    Column("dead_at", UTCDateTime, nullable=True),
    # The turn id of the work that caused the event (domain/observability.py), bound again on delivery.
    Column("turn_id", String(64), nullable=True),
    # How many automation rules stand between this event and a person's action (0: none); rules stop at a cap.
    Column("cause_depth", Integer, nullable=False, default=0, server_default="0"),
    # The claim query filters ``delivered_at IS NULL AND dead_at IS NULL`` and ranges over ``available_at``.
    Index("ix_outbox_pending", "delivered_at", "dead_at", "available_at"),
)

processed_messages = Table(
    "processed_messages",
    metadata,
    Column("consumer", String(80), primary_key=True),
    Column("message_id", String(255), primary_key=True),
    Column("processed_at", UTCDateTime, nullable=False),
)

job_runs = Table(
    "job_runs",
    metadata,
    Column("job", String(80), primary_key=True),
    Column("slot", String(40), primary_key=True),
    Column("runner", String(80), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=True),
)
