"""Analytics rollups (issue 20, migration 0024): small tables the dashboard reads instead of orders.

``rollup_order_facts`` holds what each paid order contributes (its day, hour, channel, country, money, units,
whether it is its customer's first order, its customer's cohort). The other tables are sums over those facts,
kept in step by the outbox subscriber in ``domain/adapters/rollups.py``: on an order's event it recomputes the
facts of that customer's orders from the raw rows, subtracts the old facts and adds the new ones, so refunds,
cancellations and late payments land wherever they belong. Money is integer minor units per currency."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, Integer, String, Table
from sqlalchemy.types import TypeEngine

from domain.adapters.orm_base import metadata


def _key(name: str, type_: TypeEngine[Any] | None = None) -> Column[Any]:
    return Column(name, type_ if type_ is not None else BigInteger(), primary_key=True, autoincrement=False)


def _sum(name: str) -> Column[Any]:
    return Column(name, BigInteger, nullable=False, default=0)


rollup_order_facts = Table(
    "rollup_order_facts",
    metadata,
    Column("order_id", BigInteger, primary_key=True, autoincrement=False),
    Column("customer_id", BigInteger, nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("hour", Integer, nullable=False),  # 0–23, UTC
    Column("channel", String(16), nullable=False),
    Column("country", String(2), nullable=False),  # of the shipping address; "" when it has none
    Column("currency", String(3), nullable=False),
    Column("campaign_id", BigInteger, nullable=True),
    Column("units", BigInteger, nullable=False),
    Column("gross", BigInteger, nullable=False),
    Column("discount", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False),
    Column("net", BigInteger, nullable=False),
    Column("is_first", Integer, nullable=False),  # the customer's first paid order (1/0)
    Column("first_in_month", Integer, nullable=False),  # the customer's first paid order of its month
    Column("cohort_month", Date, nullable=False),  # first day of the month of the customer's first paid order
)

rollup_sales_daily = Table(
    "rollup_sales_daily",
    metadata,
    _key("day", Date()),
    _key("channel", String(16)),
    _key("country", String(2)),
    _key("currency", String(3)),
    _sum("orders"),
    _sum("units"),
    _sum("gross"),
    _sum("discount"),
    _sum("refunded"),
    _sum("net"),
)

rollup_sales_hourly = Table(
    "rollup_sales_hourly",
    metadata,
    _key("day", Date()),
    _key("hour", Integer()),
    _key("currency", String(3)),
    _sum("orders"),
    _sum("gross"),
    _sum("net"),
)

rollup_product_daily = Table(
    "rollup_product_daily",
    metadata,
    _key("day", Date()),
    _key("product_id"),
    _key("variant_id"),
    _key("currency", String(3)),
    _sum("lines"),
    _sum("units"),
    _sum("revenue"),
    Index("ix_rollup_product_daily_product", "product_id", "day"),
)

rollup_campaign_daily = Table(
    "rollup_campaign_daily",
    metadata,
    _key("day", Date()),
    _key("campaign_id"),
    _key("currency", String(3)),
    _sum("orders"),
    _sum("gross"),
    _sum("net"),
)

rollup_customers_daily = Table(
    "rollup_customers_daily",
    metadata,
    _key("day", Date()),
    _sum("orders"),
    _sum("new_customers"),
    _sum("returning_orders"),
)

rollup_cohorts = Table(
    "rollup_cohorts",
    metadata,
    _key("cohort_month", Date()),
    _key("month", Date()),
    _sum("customers"),
)

FUNNEL_STEPS = ("message_received", "product_viewed", "added_to_cart", "checkout_started", "order_placed", "order_paid")

# Distinct customers reaching each funnel step that day (from analytics_events; refreshed per day).
rollup_funnel_daily = Table(
    "rollup_funnel_daily",
    metadata,
    _key("day", Date()),
    _key("step", String(40)),
    _sum("customers"),
)

ROLLUP_TABLES = (
    rollup_order_facts,
    rollup_sales_daily,
    rollup_sales_hourly,
    rollup_product_daily,
    rollup_campaign_daily,
    rollup_customers_daily,
    rollup_cohorts,
    rollup_funnel_daily,
)
