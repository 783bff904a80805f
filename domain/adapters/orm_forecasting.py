"""Demand forecasts and reorder sourcing (issue 20, migration 0026).

``forecast_runs``: one row per ``chatshop forecast run`` (when, how many SKUs, how long). ``demand_forecasts``:
the latest run's daily forecast per variant (expected units and the 80/95% bounds, floats: units, not money,
and the method that made it); a run replaces all rows in one transaction, so readers see one run or the other.
``variant_sourcing``: which supplier a variant is bought from, in what pack size and at what unit cost (minor
units of the supplier's currency) — what a reorder suggestion needs to become a purchase order line.
``reorder_batches``: the purchase orders one submitted suggestions form drafted, by the form's key, so the same
form sent twice drafts them once.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Float, ForeignKey, Integer, String, Table

from domain.adapters.orm_base import JSONType, UTCDateTime, _fk, _pk, metadata

forecast_runs = Table(
    "forecast_runs",
    metadata,
    _pk(),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
    Column("first_day", Date, nullable=False),  # the first forecast day (the day after the history ends)
    Column("skus", Integer, nullable=False),
    Column("seconds", Float, nullable=False),
)

demand_forecasts = Table(
    "demand_forecasts",
    metadata,
    Column("variant_id", BigInteger, ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True),
    Column("day", Date, primary_key=True),
    _fk("run_id", "forecast_runs.id", index=False),
    Column("mean", Float, nullable=False),
    Column("lo80", Float, nullable=False),
    Column("hi80", Float, nullable=False),
    Column("lo95", Float, nullable=False),
    Column("hi95", Float, nullable=False),
    Column("method", String(20), nullable=False),
    Column("demand_class", String(16), nullable=False),
)

variant_sourcing = Table(
    "variant_sourcing",
    metadata,
    Column("variant_id", BigInteger, ForeignKey("variants.id", ondelete="CASCADE"), primary_key=True),
    _fk("supplier_id", "suppliers.id"),
    Column("pack_size", Integer, nullable=False, default=1),
    Column("unit_cost", BigInteger, nullable=False, default=0),
    Column("updated_at", UTCDateTime, nullable=False),
)

reorder_batches = Table(
    "reorder_batches",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("po_ids", JSONType, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)
