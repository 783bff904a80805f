"""Outbox delivery: claim committed events, hand them to subscribers, mark them delivered.

At least once: a row is claimed with a lease, delivered outside any transaction, then marked. A worker
that dies mid-delivery leaves the lease to expire and another worker delivers again. Each subscriber's
success is recorded per event id, so a retry after a partial failure skips those already done, and a
subscriber only sees a duplicate when a crash falls between its side effect and that record.
Several processes share the table: on PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.events import Event
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
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.subscriptions = list(subscriptions or [])
        self.batch_size = batch_size
        self.lease = lease
        self.name = name or worker_id()

    def subscribe(self, name: str, handler: Subscriber, events: set[str] | None = None) -> None:
        self.subscriptions.append(Subscription(name, handler, frozenset(events) if events else None))

    async def _claim(self) -> list[tuple[int, str, str, dict[str, object], int]]:
        now = self.clock.now()
        t = orm.outbox.c
        async with self.sessions() as session, session.begin():
            stmt = (
                select(t.id, t.event_id, t.name, t.payload, t.attempts)
                .where(t.delivered_at.is_(None), t.available_at <= now)
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
        return [(r.id, r.event_id, r.name, r.payload, r.attempts + 1) for r in rows]

    async def _done(self, consumer: str, event_id: str) -> bool:
        t = orm.processed_messages.c
        async with self.sessions() as session:
            stmt = select(func.count()).where(t.consumer == consumer, t.message_id == event_id)
            return int((await session.execute(stmt)).scalar_one()) > 0

    async def _record(self, consumer: str, event_id: str) -> None:
        async with self.sessions() as session, session.begin():
            try:
                async with session.begin_nested():
                    await session.execute(
                        insert(orm.processed_messages).values(
                            consumer=consumer, message_id=event_id, processed_at=self.clock.now()
                        )
                    )
            except IntegrityError:
                pass

    async def _finish(self, row_id: int, error: str | None, attempts: int) -> None:
        now = self.clock.now()
        t = orm.outbox.c
        values: dict[str, object]
        if error is None:
            values = {"delivered_at": now, "claimed_until": None, "last_error": None}
        else:
            backoff = timedelta(seconds=min(2**attempts, 600))
            values = {"available_at": now + backoff, "claimed_until": None, "last_error": error[:2000]}
        async with self.sessions() as session, session.begin():
            # Only the lease holder may finish the row (a slow worker whose lease ran out must not).
            await session.execute(
                update(orm.outbox).where(and_(t.id == row_id, t.claimed_by == self.name)).values(**values)
            )

    async def run_once(self) -> int:
        """Deliver one batch; returns how many events were delivered."""
        delivered = 0
        for row_id, event_id, name, payload, attempts in await self._claim():
            try:
                event = Event.from_record(name, payload)
            except (KeyError, TypeError) as exc:
                await self._finish(row_id, f"undecodable event {name}: {exc}", attempts)
                continue
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
            await self._finish(row_id, error, attempts)
            delivered += error is None
        return delivered

    async def drain(self, max_batches: int = 1000) -> int:
        total = 0
        for _ in range(max_batches):
            n = await self.run_once()
            total += n
            if n == 0:
                break
        return total


async def outbox_backlog(sessions: async_sessionmaker[AsyncSession], now: datetime) -> dict[str, int]:
    t = orm.outbox.c
    async with sessions() as session:
        pending = (await session.execute(select(func.count()).where(t.delivered_at.is_(None)))).scalar_one()
        failing = (
            await session.execute(select(func.count()).where(t.delivered_at.is_(None), t.last_error.is_not(None)))
        ).scalar_one()
        delivered = (await session.execute(select(func.count()).where(t.delivered_at.is_not(None)))).scalar_one()
    return {"pending": int(pending), "failing": int(failing), "delivered": int(delivered)}
