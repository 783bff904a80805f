"""The analytics events table (one row per thing a shopper did, read by reports)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, String, Table

from domain.adapters.orm_base import JSONType, UTCDateTime, _fk, _pk, metadata

analytics_events = Table(
    "analytics_events",
    metadata,
    _pk(),
    Column("name", String(40), nullable=False),
    Column("occurred_at", UTCDateTime, nullable=False),
    _fk("customer_id", "customers.id", nullable=True, index=True),
    Column("channel", String(16), nullable=True),
    Column("product_id", BigInteger, nullable=True),
    Column("order_id", BigInteger, nullable=True),
    Column("value", BigInteger, nullable=True),
    Column("properties", JSONType, nullable=False, default=dict),
    Index("ix_analytics_events_name_time", "name", "occurred_at"),
)
