"""Campaign tables (issue 8), on the shared ``metadata``; read and written with SQLAlchemy Core by
``campaigns_repository`` and ``campaigns_delivery`` (no imperative mapping: the model is rebuilt from rows).

``stock_subscriptions`` (migration 0004): the shoppers who asked to hear when a SKU is back.
``rate_schedules`` (migration 0009): a bot's shared send rate when there is no Redis
(``campaigns_ratelimit.SqlRateLimiter``)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, String, Table, Text, UniqueConstraint

from domain.adapters.orm_base import JSONType, UTCDateTime, _fk, _pk, metadata

campaigns = Table(
    "campaigns",
    metadata,
    _pk(),
    Column("name", String(80), nullable=False, unique=True),
    Column("contents", JSONType, nullable=False),
    Column("channels", JSONType, nullable=False),
    Column("segment", JSONType, nullable=False),
    Column("schedule", String(8), nullable=False),
    Column("send_at", UTCDateTime, nullable=True),
    Column("cron", String(120), nullable=True),
    Column("quiet_start", String(5), nullable=False, default="21:00"),
    Column("quiet_end", String(5), nullable=False, default="09:00"),
    Column("quiet_policy", String(8), nullable=False, default="defer"),
    Column("cap_messages", Integer, nullable=False, default=2),
    Column("cap_days", Integer, nullable=False, default=7),
    Column("attribution_days", Integer, nullable=False, default=7),
    Column("trigger", String(32), nullable=True, index=True),
    Column("trigger_hours", Integer, nullable=False, default=0),
    Column("status", String(32), nullable=False, index=True),
    Column("approved_by", String(120), nullable=True),
    Column("submitted_by", String(120), nullable=True),  # who asked for approval (may not approve it)
    Column("created_by", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("next_run_at", UTCDateTime, nullable=True, index=True),
    Column("run", BigInteger, nullable=False, default=0),
    Column("pause_reason", String(200), nullable=True),
    Column("single_use_coupons", Boolean, nullable=False, default=False),
)

campaign_deliveries = Table(
    "campaign_deliveries",
    metadata,
    _pk(),
    _fk("campaign_id", "campaigns.id", index=False),
    # A cron campaign fires repeatedly and an automation once per trigger (e.g. per abandoned cart):
    # ``run`` tells those apart; within one run a customer gets one message per channel, enforced here.
    Column("run", BigInteger, nullable=False, default=1),
    _fk("customer_id", "customers.id", index=False),
    Column("channel", String(16), nullable=False),
    Column("address", String(254), nullable=False),
    Column("locale", String(16), nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("not_before", UTCDateTime, nullable=False),
    Column("claimed_by", String(120), nullable=True),
    Column("lease_until", UTCDateTime, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime, nullable=True),
    Column("error", Text, nullable=True),
    Column("coupon_code", String(40), nullable=True),  # the recipient's personal single-use code, if any
    UniqueConstraint("campaign_id", "run", "customer_id", "channel", name="uq_campaign_deliveries_recipient"),
    # Claims take queued rows in (not_before, id) order: the index hands them over in that order and the
    # LIMIT stops the walk, instead of sorting every queued row of a large campaign for each claim.
    Index("ix_campaign_deliveries_claim", "state", "not_before", "id"),
    Index("ix_campaign_deliveries_campaign_state", "campaign_id", "state"),
    Index("ix_campaign_deliveries_customer_sent", "customer_id", "sent_at"),
)

stock_subscriptions = Table(
    "stock_subscriptions",
    metadata,
    _pk(),
    _fk("customer_id", "customers.id", index=False),
    _fk("variant_id", "variants.id", index=False),
    Column("sku", String(64), nullable=False),
    Column("channel", String(16), nullable=False),
    # pending -> notified (a delivery was queued, run = this row's id) | skipped (nobody to message)
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("notified_at", UTCDateTime, nullable=True),
    _fk("campaign_id", "campaigns.id", nullable=True, index=False),
    UniqueConstraint("customer_id", "variant_id", name="uq_stock_subscriptions_customer_variant"),
    Index("ix_stock_subscriptions_status_variant", "status", "variant_id"),
)

rate_schedules = Table(
    "rate_schedules",
    metadata,
    Column("key", String(120), primary_key=True),  # e.g. global:telegram:123456 (one bot's overall rate)
    Column("next_slot_us", BigInteger, nullable=False),  # the next free slot, microseconds since the epoch
    Column("paused_until_us", BigInteger, nullable=False),  # a 429's retry_after holds every sender until
)
