"""Outbox delivery: claim committed events, hand them to subscribers, mark them delivered.

At least once: a row is claimed with a lease, delivered outside any transaction, then marked. A worker
that dies mid-delivery leaves the lease to expire and another worker delivers again. Each subscriber's
success is recorded per event id, so a retry after a partial failure skips those already done, and a
subscriber only sees a duplicate when a crash falls between its side effect and that record.
Several processes share the table: on PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED.

A failed delivery is retried with capped exponential back-off. After ``max_attempts`` failed attempts the
event is dead-lettered: ``dead_at`` is set, it is logged at ERROR and no longer claimed, until an operator
makes it pending again (``chatshop outbox retry``), with its attempts reset. Subscribers that succeeded
before keep their records, so a retried event only reaches those that have not.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.dialect_insert import session_insert
from domain.causation import bound_cause_depth
from domain.events import Event
from domain.observability import bound_turn, metrics
from domain.ports import Clock

log = logging.getLogger(__name__)

Subscriber = Callable[[str, Event], Awaitable[None]]


@dataclass(frozen=True)
class Subscription:
    name: str
    handler: Subscriber
    events: frozenset[str] | None = None  # None: every event

    def wants(self, event: Event) -> bool:
        return self.events is None or event.name in self.events


@dataclass(frozen=True)
class _Claimed:
    id: int
    event_id: str
    name: str
    payload: dict[str, object]
    attempts: int  # including the one now under way
    turn_id: str | None = None  # of the work that caused the event (domain/observability.py)
    cause_depth: int = 0  # automation rules between it and a person's action (domain/causation.py)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class OutboxWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        subscriptions: list[Subscription] | None = None,
        batch_size: int = 50,
        lease: timedelta = timedelta(seconds=60),
        name: str | None = None,
        max_attempts: int = 25,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.sessions = sessions
        self.clock = clock
        self.subscriptions = list(subscriptions or [])
        self.batch_size = batch_size
        self.lease = lease
        self.name = name or worker_id()
        self.max_attempts = max_attempts

    def subscribe(self, name: str, handler: Subscriber, events: set[str] | None = None) -> None:
        self.subscriptions.append(Subscription(name, handler, frozenset(events) if events else None))

    async def marked_events(self, consumer: str, limit: int = 100) -> list[tuple[str, Event]]:
        """Events a subscriber marked under ``consumer`` (e.g. notices held for later), oldest first."""
        o, p = orm.outbox.c, orm.processed_messages.c
        stmt = (
            select(o.event_id, o.name, o.payload)
            .join(orm.processed_messages, p.message_id == o.event_id)
            .where(p.consumer == consumer)
            .order_by(o.id)
            .limit(limit)
        )
        async with self.sessions() as session:
            rows = (await session.execute(stmt)).all()
        out = []
        for row in rows:
            try:
                out.append((row.event_id, Event.from_record(row.name, row.payload)))
            except (KeyError, TypeError):
                log.warning("held event %s (%s) can't be read any more; skipped", row.event_id, row.name)
        return out

    async def _claim(self) -> list[_Claimed]:
        now = self.clock.now()
        t = orm.outbox.c
        async with self.sessions() as session, session.begin():
            stmt = (
                select(t.id, t.event_id, t.name, t.payload, t.attempts, t.turn_id, t.cause_depth)
                .where(t.delivered_at.is_(None), t.dead_at.is_(None), t.available_at <= now)
                .where(or_(t.claimed_until.is_(None), t.claimed_until < now))
                .order_by(t.id)
                .limit(self.batch_size)
            )
            if session.bind.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True)
            rows = list((await session.execute(stmt)).all())
            if rows:
                await session.execute(
                    update(orm.outbox)
                    .where(t.id.in_([r.id for r in rows]))
                    .values(claimed_by=self.name, claimed_until=now + self.lease, attempts=t.attempts + 1)
                )
        return [_Claimed(r.id, r.event_id, r.name, r.payload, r.attempts + 1, r.turn_id, r.cause_depth) for r in rows]

    async def _done(self, consumer: str, event_id: str) -> bool:
        t = orm.processed_messages.c
        async with self.sessions() as session:
            stmt = select(func.count()).where(t.consumer == consumer, t.message_id == event_id)
            return int((await session.execute(stmt)).scalar_one()) > 0

    async def _record(self, consumer: str, event_id: str) -> None:
        async with self.sessions() as session, session.begin():
            await mark_processed(session, consumer, event_id, self.clock.now())

    async def _finish(self, row: _Claimed, error: str | None) -> None:
        now = self.clock.now()
        t = orm.outbox.c
        values: dict[str, object]
        dead = False
        if error is None:
            values = {"delivered_at": now, "claimed_until": None, "last_error": None}
        elif row.attempts >= self.max_attempts:
            dead = True
            values = {"dead_at": now, "claimed_until": None, "last_error": error[:2000]}
        else:
            backoff = timedelta(seconds=min(2**row.attempts, 600))
            values = {"available_at": now + backoff, "claimed_until": None, "last_error": error[:2000]}
        async with self.sessions() as session, session.begin():
            # Only the lease holder may finish the row (a slow worker whose lease ran out must not).
            result = await session.execute(
                update(orm.outbox).where(and_(t.id == row.id, t.claimed_by == self.name)).values(**values)
            )
            finished = bool(getattr(result, "rowcount", 0))
        if finished:
            metrics().outbox_delivery(row.name, "delivered" if error is None else "dead" if dead else "failed")
        if dead and finished:
            log.error(
                "outbox event %s %s is dead after %d failed attempts (chatshop outbox retry %s); last error: %s",
                row.name,
                row.event_id,
                row.attempts,
                row.event_id,
                error,
            )

    async def _renew(self, rows: list[_Claimed]) -> set[int]:
        """Extend the lease of the batch's undelivered rows that are still ours; returns their ids.

        Renewed before each event, so a batch of slow deliveries never outlives its lease half-way and
        another process starts on rows this one is still going to deliver; a row another process took over
        meanwhile (this one stalled past the lease) is left to it."""
        t = orm.outbox.c
        until = self.clock.now() + self.lease
        async with self.sessions() as session, session.begin():
            result = await session.execute(
                update(orm.outbox)
                .where(t.id.in_([r.id for r in rows]), t.claimed_by == self.name, t.delivered_at.is_(None))
                .values(claimed_until=until)
                .returning(t.id)
            )
            return set(result.scalars())

    async def run_once(self) -> int:
        """Deliver one batch; returns how many events were delivered."""
        delivered = 0
        batch = await self._claim()
        for index, row in enumerate(batch):
            if index > 0 and row.id not in await self._renew(batch[index:]):
                continue  # our lease ran out and another process has it now
            # Its log lines carry the id of the work that caused the event; what it causes, the event's depth.
            with bound_turn(row.turn_id), bound_cause_depth(row.cause_depth):
                delivered += await self._deliver(row)
        return delivered

    async def _deliver(self, row: _Claimed) -> int:
        """Hand one claimed event to its subscribers; 1 when every one of them succeeded."""
        event_id, name = row.event_id, row.name
        log.debug("delivering outbox event %s %s (attempt %d)", name, event_id, row.attempts)
        try:
            event = Event.from_record(name, row.payload)
        except (KeyError, TypeError) as exc:
            await self._finish(row, f"undecodable event {name}: {exc}")
            return 0
        error = None
        for sub in self.subscriptions:
            if not sub.wants(event) or await self._done(sub.name, event_id):
                continue
            try:
                await sub.handler(event_id, event)
            except Exception as exc:  # a subscriber's failure must not stop the others
                log.exception("subscriber %s failed on %s %s", sub.name, name, event_id)
                error = f"{sub.name}: {type(exc).__name__}: {exc}"
                continue
            await self._record(sub.name, event_id)
        await self._finish(row, error)
        return int(error is None)

    async def drain(self, max_batches: int = 1000) -> int:
        total = 0
        for _ in range(max_batches):
            n = await self.run_once()
            total += n
            if n == 0:
                break
        return total


async def mark_processed(session: AsyncSession, consumer: str, message_id: str, at: datetime) -> bool:
    """Record that ``consumer`` handled ``message_id``; False when it already had (in this transaction's view).

    ON CONFLICT DO NOTHING rather than catching IntegrityError: on SQLite a caught driver error keeps its
    cursor alive in a reference cycle, and the garbage collector, resetting that cursor on the event loop's
    thread, then waits on a connection another thread is using (a writer waiting out the busy timeout) — the
    whole process stood still for 30 s that way when a subscriber marked its own events."""
    values = {"consumer": consumer, "message_id": message_id[:255], "processed_at": at}
    stmt = session_insert(session, orm.processed_messages).values(**values).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def prune_outbox(sessions: async_sessionmaker[AsyncSession], older_than: datetime) -> tuple[int, int]:
    """Delete delivered events and processed-message marks older than ``older_than``; returns both counts.

    Dead and pending events stay whatever their age (an operator still has to see them)."""
    o, p = orm.outbox.c, orm.processed_messages.c
    async with sessions() as session, session.begin():
        events = await session.execute(delete(orm.outbox).where(o.delivered_at < older_than))
        marks = await session.execute(delete(orm.processed_messages).where(p.processed_at < older_than))
        return int(getattr(events, "rowcount", 0)), int(getattr(marks, "rowcount", 0))


async def outbox_backlog(sessions: async_sessionmaker[AsyncSession], now: datetime) -> dict[str, int]:
    """Counts: ``pending`` (not delivered, not dead; ``failing`` of those have an error), ``dead``, ``delivered``."""
    t = orm.outbox.c
    undelivered = and_(t.delivered_at.is_(None), t.dead_at.is_(None))
    async with sessions() as session:

        async def count(*where: ColumnElement[bool]) -> int:
            return int((await session.execute(select(func.count()).where(*where))).scalar_one())

        return {
            "pending": await count(undelivered),
            "failing": await count(undelivered, t.last_error.is_not(None)),
            "dead": await count(t.delivered_at.is_(None), t.dead_at.is_not(None)),
            "delivered": await count(t.delivered_at.is_not(None)),
        }


@dataclass(frozen=True)
class DeadEvent:
    event_id: str
    name: str
    attempts: int
    last_error: str | None
    created_at: datetime
    dead_at: datetime


async def dead_events(sessions: async_sessionmaker[AsyncSession], limit: int = 5) -> list[DeadEvent]:
    """The most recently dead-lettered events, newest first."""
    t = orm.outbox.c
    stmt = (
        select(t.event_id, t.name, t.attempts, t.last_error, t.created_at, t.dead_at)
        .where(t.delivered_at.is_(None), t.dead_at.is_not(None))
        .order_by(t.dead_at.desc(), t.id.desc())
        .limit(limit)
    )
    async with sessions() as session:
        rows = (await session.execute(stmt)).all()
    return [DeadEvent(r.event_id, r.name, r.attempts, r.last_error, r.created_at, r.dead_at) for r in rows]


async def retry_dead(sessions: async_sessionmaker[AsyncSession], now: datetime, event_id: str | None = None) -> int:
    """Make dead events pending again (one by event id, or all when ``event_id`` is None); returns how many.

    Attempts start again from zero; the last error stays for the record until a delivery succeeds.
    Subscribers that already succeeded for an event are skipped when it is delivered again.
    """
    t = orm.outbox.c
    stmt = update(orm.outbox).where(t.delivered_at.is_(None), t.dead_at.is_not(None))
    if event_id is not None:
        stmt = stmt.where(t.event_id == event_id)
    stmt = stmt.values(dead_at=None, attempts=0, available_at=now, claimed_by=None, claimed_until=None)
    async with sessions() as session, session.begin():
        result = await session.execute(stmt)
        return int(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class OutboxHealth:
    pending: int  # not delivered, not dead
    failing: int  # of those, the last attempt failed
    dead: int
    oldest_pending_at: datetime | None  # the outbox lag is now minus this


async def outbox_health(sessions: async_sessionmaker[AsyncSession]) -> OutboxHealth:
    """The undelivered events in one query over the pending index (delivered rows are not read), for the
    metrics scraped every few seconds."""
    t = orm.outbox.c
    live = t.dead_at.is_(None)
    stmt = select(
        func.coalesce(func.sum(case((live, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(live, t.last_error.is_not(None)), 1), else_=0)), 0),
        func.coalesce(func.sum(case((live, 0), else_=1)), 0),
        func.min(case((live, t.created_at), else_=None)),
    ).where(t.delivered_at.is_(None))
    async with sessions() as session:
        row = (await session.execute(stmt)).one()
    oldest = row[3]
    if isinstance(oldest, str):  # SQLite hands back text from an expression over the column
        oldest = datetime.fromisoformat(oldest)
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return OutboxHealth(int(row[0]), int(row[1]), int(row[2]), oldest)
