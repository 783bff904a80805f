"""Keeping the analytics rollups (``orm_rollups``) equal to the raw rows: incrementally, by backfill, checked.

One definition of what a paid order contributes: ``facts_select`` computes the facts of orders from ``orders`` and
``order_lines`` (window functions give each customer's first order and cohort). Everything else derives from it:

* the outbox subscriber recomputes the facts of the customers an event touches, takes the old facts away from the
  sums and adds the new ones (one transaction, marked done per event id, so a redelivery changes nothing);
* ``backfill`` rebuilds every table from raw rows with INSERT … SELECT;
* ``verify`` aggregates the raw facts afresh and lists each rollup row that differs.

Recomputing per customer rather than applying the event's amounts is what keeps refunds, cancellations, late
payments and merged customers right: an order's first-order flag and cohort depend on the customer's other orders.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Date,
    FromClause,
    Integer,
    MetaData,
    Select,
    Table,
    and_,
    case,
    cast,
    delete,
    distinct,
    extract,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.dialect_insert import session_insert
from domain.adapters.orm_rollups import (
    FUNNEL_STEPS,
    rollup_campaign_daily,
    rollup_cohorts,
    rollup_customers_daily,
    rollup_funnel_daily,
    rollup_order_facts,
    rollup_product_daily,
    rollup_sales_daily,
    rollup_sales_hourly,
)
from domain.adapters.outbox import mark_processed
from domain.events import Event
from domain.ports import Clock

CONSUMER = "analytics-rollups"


def rollup_events() -> frozenset[str]:
    """Every event that can change what an order contributes: each one about an order, and customer merges."""
    about_orders = {
        name for name, kind in Event.registry.items() if "order_id" in {f.name for f in dataclasses.fields(kind)}
    }
    return frozenset(about_orders | {"CustomersMerged"})


Ord = orm.orders.c
OL = orm.order_lines.c
FACT_COLUMNS = tuple(c.name for c in rollup_order_facts.columns)
Fact = Mapping[str, Any]
Line = Mapping[str, Any]


# --- dates per dialect: SQLite keeps naive UTC text, PostgreSQL timestamptz ------------------------------------
def day_of(column: Any, dialect: str) -> ColumnElement[date]:
    if dialect == "sqlite":
        return func.date(column, type_=Date)
    return cast(func.timezone("UTC", column), Date)


def hour_of(column: Any, dialect: str) -> ColumnElement[int]:
    if dialect == "sqlite":
        return cast(func.strftime("%H", column), Integer)
    return cast(extract("hour", func.timezone("UTC", column)), Integer)


def month_of(column: Any, dialect: str, *, is_date: bool = False) -> ColumnElement[date]:
    if dialect == "sqlite":
        return func.date(column, "start of month", type_=Date)
    value = column if is_date else func.timezone("UTC", column)
    return cast(func.date_trunc("month", value), Date)


def facts_select(dialect: str, customer_ids: Sequence[int] | None = None) -> Select[Any]:
    """The facts of every paid order (of ``customer_ids`` when given), columns named as ``rollup_order_facts``."""
    units = select(OL.order_id, func.sum(OL.quantity).label("units")).group_by(OL.order_id)
    paid: ColumnElement[bool] = Ord.paid_at.is_not(None)
    if customer_ids is not None:
        paid = and_(paid, Ord.customer_id.in_(customer_ids))
        units = units.where(OL.order_id.in_(select(Ord.id).where(Ord.customer_id.in_(customer_ids))))
    u = units.subquery()
    month = month_of(Ord.paid_at, dialect)
    order = (Ord.paid_at, Ord.id)
    country = func.substr(Ord.shipping_address["country"].as_string(), 1, 2)
    return (
        select(
            Ord.id.label("order_id"),
            Ord.customer_id.label("customer_id"),
            day_of(Ord.paid_at, dialect).label("day"),
            hour_of(Ord.paid_at, dialect).label("hour"),
            Ord.channel.label("channel"),
            func.upper(func.coalesce(country, "")).label("country"),
            Ord.currency.label("currency"),
            Ord.campaign_id.label("campaign_id"),
            func.coalesce(u.c.units, 0).label("units"),
            Ord.total.label("gross"),
            Ord.discount.label("discount"),
            Ord.refunded.label("refunded"),
            (Ord.captured - Ord.refunded).label("net"),
            case((func.row_number().over(partition_by=Ord.customer_id, order_by=order) == 1, 1), else_=0).label(
                "is_first"
            ),
            case(
                (func.row_number().over(partition_by=(Ord.customer_id, month), order_by=order) == 1, 1), else_=0
            ).label("first_in_month"),
            func.min(month).over(partition_by=Ord.customer_id).label("cohort_month"),
        )
        .outerjoin(u, u.c.order_id == Ord.id)
        .where(paid)
    )


# --- the sums: each rollup as (key, values) per fact in Python and as a GROUP BY over facts in SQL --------------
@dataclass(frozen=True)
class Spec:
    table: Table
    keys: tuple[str, ...]
    values: tuple[str, ...]
    count: str  # zero exactly when no fact falls in the row any more: such rows are deleted
    rows: Callable[[Fact, Sequence[Line]], Iterable[tuple[tuple[Any, ...], tuple[int, ...]]]]
    aggregate: Callable[[FromClause, str], Select[Any]]


def _month(day: date) -> date:
    return day.replace(day=1)


def _sales(f: FromClause, dialect: str) -> Select[Any]:
    c = f.c
    keys = (c.day, c.channel, c.country, c.currency)
    sums = (func.sum(c.units), func.sum(c.gross), func.sum(c.discount), func.sum(c.refunded), func.sum(c.net))
    return select(*keys, func.count(), *sums).group_by(*keys)


def _hourly(f: FromClause, dialect: str) -> Select[Any]:
    c = f.c
    keys = (c.day, c.hour, c.currency)
    return select(*keys, func.count(), func.sum(c.gross), func.sum(c.net)).group_by(*keys)


def _products(f: FromClause, dialect: str) -> Select[Any]:
    c = f.c
    keys = (c.day, OL.product_id, OL.variant_id, c.currency)
    revenue = func.sum(OL.unit_price * OL.quantity - OL.discount)
    return (
        select(*keys, func.count(), func.sum(OL.quantity), revenue)
        .select_from(f.join(orm.order_lines, OL.order_id == c.order_id))
        .group_by(*keys)
    )


def _campaigns(f: FromClause, dialect: str) -> Select[Any]:
    c = f.c
    keys = (c.day, c.campaign_id, c.currency)
    sums = (func.count(), func.sum(c.gross), func.sum(c.net))
    return select(*keys, *sums).where(c.campaign_id.is_not(None)).group_by(*keys)


def _customers(f: FromClause, dialect: str) -> Select[Any]:
    c = f.c
    return select(c.day, func.count(), func.sum(c.is_first), func.sum(1 - c.is_first)).group_by(c.day)


def _cohorts(f: FromClause, dialect: str) -> Select[Any]:
    c = f.c
    month = month_of(c.day, dialect, is_date=True)
    return select(c.cohort_month, month, func.count()).where(c.first_in_month == 1).group_by(c.cohort_month, month)


SPECS: tuple[Spec, ...] = (
    Spec(
        rollup_sales_daily,
        ("day", "channel", "country", "currency"),
        ("orders", "units", "gross", "discount", "refunded", "net"),
        "orders",
        lambda f, lines: [
            (
                (f["day"], f["channel"], f["country"], f["currency"]),
                (1, f["units"], f["gross"], f["discount"], f["refunded"], f["net"]),
            )
        ],
        _sales,
    ),
    Spec(
        rollup_sales_hourly,
        ("day", "hour", "currency"),
        ("orders", "gross", "net"),
        "orders",
        lambda f, lines: [((f["day"], f["hour"], f["currency"]), (1, f["gross"], f["net"]))],
        _hourly,
    ),
    Spec(
        rollup_product_daily,
        ("day", "product_id", "variant_id", "currency"),
        ("lines", "units", "revenue"),
        "lines",
        lambda f, lines: [
            (
                (f["day"], ln["product_id"], ln["variant_id"], f["currency"]),
                (1, ln["quantity"], ln["unit_price"] * ln["quantity"] - ln["discount"]),
            )
            for ln in lines
        ],
        _products,
    ),
    Spec(
        rollup_campaign_daily,
        ("day", "campaign_id", "currency"),
        ("orders", "gross", "net"),
        "orders",
        lambda f, lines: (
            [((f["day"], f["campaign_id"], f["currency"]), (1, f["gross"], f["net"]))]
            if f["campaign_id"] is not None
            else []
        ),
        _campaigns,
    ),
    Spec(
        rollup_customers_daily,
        ("day",),
        ("orders", "new_customers", "returning_orders"),
        "orders",
        lambda f, lines: [((f["day"],), (1, f["is_first"], 1 - f["is_first"]))],
        _customers,
    ),
    Spec(
        rollup_cohorts,
        ("cohort_month", "month"),
        ("customers",),
        "customers",
        lambda f, lines: [((f["cohort_month"], _month(f["day"])), (1,))] if f["first_in_month"] else [],
        _cohorts,
    ),
)


def _funnel(dialect: str, lo: datetime | None = None, hi: datetime | None = None) -> Select[Any]:
    """Distinct customers reaching each funnel step per day, from the raw analytics events."""
    A = orm.analytics_events.c
    day = day_of(A.occurred_at, dialect)
    stmt = (
        select(day, A.name, func.count(distinct(A.customer_id)))
        .where(A.name.in_(FUNNEL_STEPS), A.customer_id.is_not(None))
        .group_by(day, A.name)
    )
    if lo is not None and hi is not None:
        stmt = stmt.where(A.occurred_at >= lo, A.occurred_at < hi)
    return stmt


# --- incremental -------------------------------------------------------------------------------------------
def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _fact(row: Any) -> dict[str, Any]:
    fact = dict(row)
    fact["day"], fact["cohort_month"] = _as_date(fact["day"]), _as_date(fact["cohort_month"])
    for name in ("units", "gross", "discount", "refunded", "net", "is_first", "first_in_month", "hour"):
        fact[name] = int(fact[name])
    return fact


async def _upsert_add(session: AsyncSession, spec: Spec, delta: dict[tuple[Any, ...], list[int]]) -> None:
    table = spec.table
    for key, values in sorted(delta.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
        if not any(values):
            continue
        stmt = session_insert(session, table).values(
            dict(zip(spec.keys, key, strict=True)) | dict(zip(spec.values, values, strict=True))
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=list(spec.keys), set_={v: table.c[v] + stmt.excluded[v] for v in spec.values}
        )
        await session.execute(stmt)
        if any(v < 0 for v in values):  # something went away: drop the row once nothing is left in it
            match = [table.c[k] == value for k, value in zip(spec.keys, key, strict=True)]
            await session.execute(delete(table).where(*match, table.c[spec.count] == 0))


def _contributions(
    facts: Iterable[Fact], lines: Mapping[int, Sequence[Line]], spec: Spec, sign: int
) -> Iterable[tuple[tuple[Any, ...], tuple[int, ...], int]]:
    for fact in facts:
        for key, values in spec.rows(fact, lines.get(fact["order_id"], ())):
            yield key, values, sign


async def recompute_customers(session: AsyncSession, customer_ids: Iterable[int]) -> int:
    """Bring every rollup in line with the raw orders of these customers; returns how many facts changed."""
    ids = sorted({int(i) for i in customer_ids if i})
    if not ids:
        return 0
    dialect = _dialect(session)
    if dialect == "postgresql":  # two workers on one customer's events must not read the same old facts
        for customer_id in ids:
            await session.execute(text("SELECT pg_advisory_xact_lock(20, :id)"), {"id": customer_id})
    F = rollup_order_facts.c
    old = {
        r["order_id"]: _fact(r)
        for r in (await session.execute(select(rollup_order_facts).where(F.customer_id.in_(ids)))).mappings()
    }
    new = {r["order_id"]: _fact(r) for r in (await session.execute(facts_select(dialect, ids))).mappings()}
    changed = [oid for oid in old.keys() | new.keys() if old.get(oid) != new.get(oid)]
    if not changed:
        return 0
    lines: dict[int, list[Line]] = defaultdict(list)
    line_rows = await session.execute(
        select(OL.order_id, OL.product_id, OL.variant_id, OL.quantity, OL.unit_price, OL.discount)
        .where(OL.order_id.in_(changed))
        .order_by(OL.id)
    )
    for line in line_rows.mappings():
        lines[line["order_id"]].append(dict(line))
    before = [old[oid] for oid in changed if oid in old]
    after = [new[oid] for oid in changed if oid in new]
    for spec in SPECS:
        delta: dict[tuple[Any, ...], list[int]] = {}
        for facts, sign in ((before, -1), (after, 1)):
            for key, values, s in _contributions(facts, lines, spec, sign):
                sums = delta.setdefault(key, [0] * len(spec.values))
                for i, v in enumerate(values):
                    sums[i] += s * int(v)
        await _upsert_add(session, spec, delta)
    await session.execute(delete(rollup_order_facts).where(F.order_id.in_(changed)))
    if after:
        await session.execute(insert(rollup_order_facts), [{k: f[k] for k in FACT_COLUMNS} for f in after])
    return len(changed)


async def refresh_funnel(session: AsyncSession, days: Iterable[date]) -> None:
    """Count the funnel of these days again from the analytics events (distinct customers are not additive)."""
    dialect = _dialect(session)
    T = rollup_funnel_daily.c
    for day in sorted(set(days)):
        lo = datetime.combine(day, time.min, tzinfo=UTC)
        await session.execute(delete(rollup_funnel_daily).where(T.day == day))
        await session.execute(
            insert(rollup_funnel_daily).from_select(
                ["day", "step", "customers"], _funnel(dialect, lo, lo + timedelta(1))
            )
        )


class RollupSubscriber:
    """The outbox subscriber: each event applied once (its mark is written in the same transaction)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    async def __call__(self, event_id: str, event: Event) -> None:
        async with self.sessions() as session, session.begin():
            if not await mark_processed(session, CONSUMER, event_id, self.clock.now()):
                return  # already applied by an earlier delivery
            ids = {int(getattr(event, name, 0) or 0) for name in ("customer_id", "source_id", "target_id")}
            order_id = getattr(event, "order_id", None)
            if order_id:
                owner = await session.execute(select(Ord.customer_id).where(Ord.id == int(order_id)))
                ids.update(int(i) for i in owner.scalars())
            await recompute_customers(session, ids)
            # The funnel of the day the event happened (and of today): distinct customers are counted again.
            written = await session.execute(select(orm.outbox.c.created_at).where(orm.outbox.c.event_id == event_id))
            days = {self.clock.now().date(), *(at.date() for at in written.scalars() if at is not None)}
            await refresh_funnel(session, days)


async def refresh_recent_funnel(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    """Today's and yesterday's funnel again: views and carts that no order event followed (a periodic job)."""
    today = clock.now().date()
    async with sessions() as session, session.begin():
        await refresh_funnel(session, {today, today - timedelta(days=1)})


# --- backfill and verify ---------------------------------------------------------------------------------------
async def backfill(
    sessions: async_sessionmaker[AsyncSession], progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Rebuild every rollup from the raw rows in one transaction; returns the rows written per table."""
    counts: dict[str, int] = {}
    async with sessions() as session, session.begin():
        dialect = _dialect(session)
        if dialect == "postgresql":  # a subscriber reading the facts meanwhile waits, then sees the rebuilt ones
            await session.execute(text("LOCK TABLE rollup_order_facts IN ACCESS EXCLUSIVE MODE"))
        for table in (rollup_order_facts, *(s.table for s in SPECS), rollup_funnel_daily):
            await session.execute(delete(table))
        await session.execute(insert(rollup_order_facts).from_select(list(FACT_COLUMNS), facts_select(dialect)))
        counts[rollup_order_facts.name] = await _count(session, rollup_order_facts)
        if progress:
            progress(rollup_order_facts.name)
        for spec in SPECS:
            columns = [*spec.keys, *spec.values]
            await session.execute(insert(spec.table).from_select(columns, spec.aggregate(rollup_order_facts, dialect)))
            counts[spec.table.name] = await _count(session, spec.table)
            if progress:
                progress(spec.table.name)
        await session.execute(insert(rollup_funnel_daily).from_select(["day", "step", "customers"], _funnel(dialect)))
        counts[rollup_funnel_daily.name] = await _count(session, rollup_funnel_daily)
        if progress:
            progress(rollup_funnel_daily.name)
    return counts


BACKFILL_STEPS = 2 + len(SPECS)


async def _count(session: AsyncSession, table: Table) -> int:
    return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


@dataclass(frozen=True)
class Mismatch:
    table: str
    key: tuple[str, ...]
    expected: tuple[Any, ...] | None  # None: the rollup has a row the raw data does not
    actual: tuple[Any, ...] | None  # None: the rollup misses a row


def _norm(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _keyed(rows: Iterable[Sequence[Any]], width: int, numbers: bool = True) -> dict[tuple[str, ...], tuple[Any, ...]]:
    def value(v: Any) -> Any:
        return int(v or 0) if numbers else (None if v is None else _norm(v))

    return {tuple(_norm(v) for v in r[:width]): tuple(value(v) for v in r[width:]) for r in rows}


def _compare(
    name: str, expected: dict[tuple[str, ...], tuple[Any, ...]], actual: dict[tuple[str, ...], tuple[Any, ...]]
) -> list[Mismatch]:
    return [
        Mismatch(name, key, expected.get(key), actual.get(key))
        for key in sorted(expected.keys() | actual.keys())
        if expected.get(key) != actual.get(key)
    ]


async def verify(
    sessions: async_sessionmaker[AsyncSession], progress: Callable[[str], None] | None = None
) -> list[Mismatch]:
    """Every rollup row against the same sums computed afresh from the raw rows; [] when they all agree.

    The raw facts are computed once into a temporary table; the per-order facts are compared in SQL (EXCEPT
    both ways), so a million orders never cross into Python, only the rows that differ."""
    out: list[Mismatch] = []
    async with sessions() as session, session.begin():
        dialect = _dialect(session)
        raw = Table(
            "verify_raw_facts",
            MetaData(),
            *(Column(c.name, c.type) for c in rollup_order_facts.columns),
            prefixes=["TEMPORARY"],
        )
        await session.run_sync(lambda s: raw.drop(s.connection(), checkfirst=True))  # left by a crashed run
        await session.run_sync(lambda s: raw.create(s.connection()))
        await session.execute(insert(raw).from_select(list(FACT_COLUMNS), facts_select(dialect)))
        stored = rollup_order_facts
        missing = await session.execute(select(raw).except_(select(stored)))
        extra = await session.execute(select(stored).except_(select(raw)))
        expected = _keyed(missing.all(), 1, numbers=False)
        actual = _keyed(extra.all(), 1, numbers=False)
        out += _compare(stored.name, expected, actual)
        if progress:
            progress(stored.name)
        for spec in SPECS:
            width = len(spec.keys)
            want = _keyed((await session.execute(spec.aggregate(raw, dialect))).all(), width)
            cols = [spec.table.c[k] for k in (*spec.keys, *spec.values)]
            have = _keyed((await session.execute(select(*cols))).all(), width)
            out += _compare(spec.table.name, want, have)
            if progress:
                progress(spec.table.name)
        # (on an error the rollback takes the temporary table away: DDL is transactional on both databases)
        await session.run_sync(lambda s: raw.drop(s.connection()))
        want = _keyed((await session.execute(_funnel(dialect))).all(), 2)
        T = rollup_funnel_daily.c
        have = _keyed((await session.execute(select(T.day, T.step, T.customers))).all(), 2)
        out += _compare(rollup_funnel_daily.name, want, have)
        if progress:
            progress(rollup_funnel_daily.name)
    return out
