"""Customer scores (issue 20, migration 0027): one row per customer who has bought, replaced whole by each
``chatshop scores run`` (``domain/adapters/scores_store.py``). ``churn_risk`` is p(no order in the next 90 days);
``expected_value_minor`` the expected spend over the next 365 days in minor units of ``currency``."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, ForeignKey, Index, Integer, String, Table

from domain.adapters.orm_base import UTCDateTime, metadata

customer_scores = Table(
    "customer_scores",
    metadata,
    Column(
        "customer_id",
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("customers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("churn_risk", Float, nullable=False),
    Column("expected_value_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("model", String(40), nullable=False),
    Column("scored_at", UTCDateTime, nullable=False),
    # The console's "at risk, high value" list reads the riskiest first.
    Index("ix_customer_scores_risk_value", "churn_risk", "expected_value_minor"),
)
