"""backfill the order timeline (order_events) of orders from before 0023 out of the rows they left

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 22:05:00.000000

Orders placed before 0023 have an empty timeline. What can be rebuilt, with its real time, is: placed
(``orders.placed_at``), paid (``orders.paid_at``), each succeeded refund (``refunds.completed_at``, by its
actor), each shipment (``shipments.shipped_at``) and a cancellation (``orders.updated_at`` — orders keep no
cancellation time, and cancelling is an order's last change unless a refund follows; then the first such
refund's time). Picking, packing, approvals and who placed or cancelled are nowhere in the old rows and are not
invented. A step is added only if the order's timeline lacks that kind of step (a refund: that refund), so an
old order that shipped after 0023 keeps its real OrderShipped row and gains the rest. Rows made here carry
``"backfilled": true`` in their payload; the downgrade removes exactly those.

A migration rather than a CLI command: it runs once per database, in the upgrade every deployment already does,
and reads only tables that exist at this revision (declared here, not taken from today's ORM).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from domain.adapters.orm_base import JSONType, UTCDateTime

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

BATCH = 1000
_meta = sa.MetaData()
orders = sa.Table(
    "orders",
    _meta,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("customer_id", sa.BigInteger),
    sa.Column("channel", sa.String),
    sa.Column("currency", sa.String),
    sa.Column("status", sa.String),
    sa.Column("total", sa.BigInteger),
    sa.Column("captured", sa.BigInteger),
    sa.Column("cancel_reason", sa.String),
    sa.Column("placed_at", UTCDateTime),
    sa.Column("paid_at", UTCDateTime),
    sa.Column("updated_at", UTCDateTime),
)
refunds = sa.Table(
    "refunds",
    _meta,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("order_id", sa.BigInteger),
    sa.Column("amount", sa.BigInteger),
    sa.Column("currency", sa.String),
    sa.Column("actor", sa.String),
    sa.Column("status", sa.String),
    sa.Column("created_at", UTCDateTime),
    sa.Column("completed_at", UTCDateTime),
)
shipments = sa.Table(
    "shipments",
    _meta,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("order_id", sa.BigInteger),
    sa.Column("carrier", sa.String),
    sa.Column("tracking_number", sa.String),
    sa.Column("shipped_at", UTCDateTime),
)
order_events = sa.Table(
    "order_events",
    _meta,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("order_id", sa.BigInteger),
    sa.Column("name", sa.String),
    sa.Column("actor", sa.String),
    sa.Column("payload", JSONType),
    sa.Column("occurred_at", UTCDateTime),
)


def _status(value: Any) -> str:
    """Enum columns read back as their stored text: lower-case values, or upper-case names on PostgreSQL."""
    return str(getattr(value, "value", value)).lower()


def _batches(conn: sa.Connection) -> Iterator[list[Any]]:
    after = 0
    while True:
        rows = conn.execute(sa.select(orders).where(orders.c.id > after).order_by(orders.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield list(rows)
        after = rows[-1].id


def _rows_for(o: Any, had: set[tuple[str, Any]], refund_rows: list[Any], ship_rows: list[Any]) -> list[dict[str, Any]]:
    base = {"order_id": o.id, "customer_id": o.customer_id, "backfilled": True}
    out: list[tuple[datetime, str, str, dict[str, Any]]] = []
    if ("OrderPlaced", None) not in had:
        placed = {**base, "channel": o.channel, "total": o.total, "currency": o.currency}
        out.append((o.placed_at, "OrderPlaced", "", placed))
    if o.paid_at is not None and ("OrderPaid", None) not in had:
        paid = {**base, "channel": o.channel, "total": o.total, "currency": o.currency}
        out.append((o.paid_at, "OrderPaid", "", paid))
    returned = 0
    for r in refund_rows:
        if _status(r.status) != "succeeded":
            continue
        returned += r.amount
        if ("RefundSucceeded", r.id) in had:
            continue
        everything = o.captured > 0 and returned >= o.captured
        refund = {**base, "refund_id": r.id, "amount": r.amount, "currency": r.currency, "everything": everything}
        out.append((r.completed_at or r.created_at, "RefundSucceeded", r.actor or "", refund))
    if ("OrderShipped", None) not in had:
        for s in ship_rows:
            shipped = {**base, "carrier": s.carrier, "tracking_number": s.tracking_number, "tracking_url": ""}
            out.append((s.shipped_at, "OrderShipped", "", shipped))
    if _status(o.status) == "cancelled" and ("OrderCancelled", None) not in had:
        at = min([o.updated_at, *(r.created_at for r in refund_rows if r.created_at >= o.placed_at)])
        out.append((at, "OrderCancelled", "", {**base, "reason": o.cancel_reason or "", "actor": ""}))
    out.sort(key=lambda row: row[0])  # the timeline reads in id order: insert oldest first
    return [{"order_id": o.id, "name": n, "actor": a[:120], "payload": p, "occurred_at": t} for t, n, a, p in out]


def upgrade() -> None:
    conn = op.get_bind()
    for batch in _batches(conn):
        ids = [o.id for o in batch]
        had: dict[int, set[tuple[str, Any]]] = {i: set() for i in ids}
        events = conn.execute(
            sa.select(order_events.c.order_id, order_events.c.name, order_events.c.payload).where(
                order_events.c.order_id.in_(ids)
            )
        )
        for order_id, name, payload in events:
            had[order_id].add((name, None))
            if name == "RefundSucceeded" and isinstance(payload, dict):
                had[order_id].add((name, payload.get("refund_id")))
        by_order_refunds: dict[int, list[Any]] = {i: [] for i in ids}
        for r in conn.execute(sa.select(refunds).where(refunds.c.order_id.in_(ids)).order_by(refunds.c.id)):
            by_order_refunds[r.order_id].append(r)
        by_order_ships: dict[int, list[Any]] = {i: [] for i in ids}
        for s in conn.execute(sa.select(shipments).where(shipments.c.order_id.in_(ids)).order_by(shipments.c.id)):
            by_order_ships[s.order_id].append(s)
        rows = [row for o in batch for row in _rows_for(o, had[o.id], by_order_refunds[o.id], by_order_ships[o.id])]
        if rows:
            conn.execute(sa.insert(order_events), rows)


def downgrade() -> None:
    conn = op.get_bind()
    made = [
        event_id
        for event_id, payload in conn.execute(sa.select(order_events.c.id, order_events.c.payload))
        if isinstance(payload, dict) and payload.get("backfilled") is True
    ]
    for start in range(0, len(made), BATCH):
        conn.execute(sa.delete(order_events).where(order_events.c.id.in_(made[start : start + BATCH])))
