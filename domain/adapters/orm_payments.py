"""Payment tables: payments and refunds, and the sandbox provider's own sessions and refunds."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, String, Table, Text, UniqueConstraint

from domain.adapters.orm_base import JSONType, UTCDateTime, _enum, _fk, _pk, metadata
from domain.model.payments import PaymentStatus, RefundStatus

payments = Table(
    "payments",
    metadata,
    _pk(),
    _fk("order_id", "orders.id"),
    Column("provider", String(32), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", _enum(PaymentStatus, "payment_status"), nullable=False),
    Column("session_id", String(255), nullable=True),
    Column("url", Text, nullable=True),
    Column("provider_payment_id", String(255), nullable=True, index=True),  # provider webhooks look it up
    Column("failure_reason", String(500), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=True),
    Column("completed_at", UTCDateTime, nullable=True),
    UniqueConstraint("provider", "session_id", name="uq_payments_provider_session"),
)

refunds = Table(
    "refunds",
    metadata,
    _pk(),
    _fk("order_id", "orders.id"),
    _fk("payment_id", "payments.id", index=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(500), nullable=False, default=""),
    Column("actor", String(120), nullable=False, default=""),
    Column("status", _enum(RefundStatus, "refund_status"), nullable=False, index=True),
    Column("provider_refund_id", String(255), nullable=True, index=True),
    Column("failure_reason", String(500), nullable=True),
    Column("request_key", String(120), nullable=True, unique=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("completed_at", UTCDateTime, nullable=True),
)

sandbox_sessions = Table(
    "sandbox_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("order_id", BigInteger, nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("lines", JSONType, nullable=False),
    Column("status", String(16), nullable=False),
    Column("idempotency_key", String(120), nullable=False, unique=True),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("success_url", Text, nullable=False),
    Column("cancel_url", Text, nullable=False),
    Column("refunded", BigInteger, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
)

sandbox_refunds = Table(
    "sandbox_refunds",
    metadata,
    Column("idempotency_key", String(120), primary_key=True),
    Column("id", String(64), nullable=False, unique=True),
    Column("session_id", String(64), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
