"""Customer and staff tables: customers, their channel identities and consent history; staff members."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, Column, Index, String, Table, Text, UniqueConstraint

from domain.adapters.orm_base import JSONType, RoleType, UTCDateTime, _enum, _fk, _pk, metadata
from domain.model.customers import Channel, ConsentPurpose

customers = Table(
    "customers",
    metadata,
    _pk(),
    Column("name", String(200), nullable=False, default=""),
    Column("locale", String(16), nullable=False, default="en"),
    Column("country", String(2), nullable=True, index=True),
    Column("email", String(254), nullable=True, index=True),
    Column("phone", String(32), nullable=True),
    Column("timezone", String(64), nullable=False, default="UTC"),
    Column("tags", JSONType, nullable=False, default=list),
    Column("notes", Text, nullable=False, default=""),
    Column("addresses", JSONType, nullable=False, default=list),
    Column("marketing_opt_in", Boolean, nullable=False, default=False),
    Column("unreachable_channels", JSONType, nullable=False, default=list),
    Column("created_at", UTCDateTime, nullable=False),
    Column("anonymised_at", UTCDateTime, nullable=True),
    _fk("merged_into_id", "customers.id", nullable=True, index=False),
    # Any change to the customer, their identities or consent sets it (domain/adapters/customer_changes.py);
    # API syncs list "changed since" in (updated_at, id) order.
    Column("updated_at", UTCDateTime, nullable=False, default=lambda: datetime.now(UTC)),
    Index("ix_customers_updated_at_id", "updated_at", "id"),
)

channel_identities = Table(
    "channel_identities",
    metadata,
    _pk(),
    _fk("customer_id", "customers.id"),
    Column("channel", _enum(Channel, "channel"), nullable=False),
    Column("external_id", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("channel", "external_id", name="uq_channel_identities_channel_external"),
)

consent_entries = Table(
    "consent_entries",
    metadata,
    _pk(),
    _fk("customer_id", "customers.id"),
    Column("purpose", _enum(ConsentPurpose, "consent_purpose"), nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("source", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

staff_members = Table(
    "staff_members",
    metadata,
    _pk(),
    Column("name", String(120), nullable=False),
    Column("role", RoleType(), nullable=False),
    Column("slack_user_id", String(32), nullable=True, unique=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)
