"""Outbound webhooks after commit: the outbox fan-out that makes delivery rows, and the worker that sends them.

``WebhookFanout`` is an outbox subscriber: for each committed event, one row per matching active
subscription, keyed (event id, subscription) so a redelivered event adds nothing. The row holds the exact
body (the event, when it happened, and a snapshot of its order / customer / stock as it is now, just after
the event's commit) and the ``webhook-id``, so every attempt sends the same bytes under the same id.

``WebhookWorker`` claims due rows with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
claiming UPDATE re-checks the lease, so of two processes only one gets a row), sends them concurrently
outside any transaction, logs each attempt, and finishes the row only if it still holds the lease. A
process killed mid-delivery leaves the lease to expire; the row is sent again with the same id. Failures
back off exponentially with jitter (``RetryPolicy``) until the last attempt, then the row is dead until
someone redelivers it. A subscription failing for ``disable_after`` is disabled through the domain
(``on_failing``), which tells the ops channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from domain.adapters.dialect_insert import dialect_insert
from domain.adapters.orm_webhooks import webhook_attempts, webhook_deliveries, webhook_subscriptions
from domain.adapters.outbox import worker_id
from domain.adapters.sql_views import SqlShopViews
from domain.adapters.webhooks_fanout_cache import SubscriptionCache
from domain.adapters.webhooks_http import Outcome, WebhookSender
from domain.adapters.webhooks_repository import subscription_from_row
from domain.adapters.webhooks_wire import message_id, to_json
from domain.events import Event
from domain.model.webhooks import RetryPolicy, WebhookSubscription
from domain.observability import webhook_delivered
from domain.ports import Clock

log = logging.getLogger(__name__)

PENDING, SUCCEEDED, DEAD = "pending", "succeeded", "dead"


async def snapshot(views: SqlShopViews, event: Event) -> dict[str, Any]:
    """The resource the event is about, as the views see it now: its order, else its customer, else stock."""
    fields = event.to_dict()
    found: Any = None
    if isinstance(fields.get("order_id"), int):
        found = ("order", await views.order(fields["order_id"]))
    elif isinstance(fields.get("customer_id"), int):
        found = ("customer", await views.customer(fields["customer_id"]))
    elif isinstance(fields.get("sku"), str):
        found = ("stock", await views.stock(fields["sku"]))
    if found is None or found[1] is None:
        return {}
    kind, view = found
    return {kind: dataclasses.asdict(view)}


class WebhookFanout:
    """Outbox subscriber: one delivery row per (event, matching active subscription)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], views: SqlShopViews, clock: Clock) -> None:
        self.sessions = sessions
        self.views = views
        self.clock = clock
        self.subscriptions = SubscriptionCache()  # read again only when they changed (any process)

    async def __call__(self, event_id: str, event: Event) -> None:
        async with self.sessions() as session:
            matching, occurred = await self.subscriptions.matching(session, event_id, event.name)
        if not matching:
            return
        now = self.clock.now()
        body = to_json(
            {
                "type": event.name,
                "id": event_id,
                "timestamp": (occurred or now).isoformat(),
                "data": {"event": event.to_dict(), **await snapshot(self.views, event)},
            }
        )
        values = [
            {
                "subscription_id": sub.id,
                "event_id": event_id,
                "event_type": event.name,
                "message_id": message_id(event_id, sub.id or 0),
                "body": body,
                "status": PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for sub in matching
        ]
        async with self.sessions() as session, session.begin():
            dialect = session.bind.dialect.name
            stmt = dialect_insert(dialect, webhook_deliveries).values(values)
            await session.execute(stmt.on_conflict_do_nothing(index_elements=["event_id", "subscription_id"]))


@dataclasses.dataclass(frozen=True)
class _Claimed:
    id: int
    subscription: WebhookSubscription
    message_id: str
    body: str
    attempt: int  # including the one now under way


@dataclasses.dataclass(frozen=True)
class _Sent:
    row: _Claimed
    started: datetime
    outcome: Outcome
    retry_in: timedelta | None = None  # after a failure: when to try again; None: it was the last attempt


class _Backlog:
    """Claimed rows whose send still waits for a free slot: the next claim waits till few are left."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.waiting = 0
        self._low = asyncio.Event()

    def started(self) -> None:
        self.waiting -= 1
        if self.waiting <= self.limit:
            self._low.set()

    async def few(self, booker: asyncio.Task[None]) -> None:
        """Returns once no more than ``limit`` rows wait (or the booking task ended: stop claiming)."""
        while self.waiting > self.limit and not booker.done():
            self._low.clear()
            low = asyncio.ensure_future(self._low.wait())
            try:
                await asyncio.wait([low, booker], return_when=asyncio.FIRST_COMPLETED)
            finally:
                low.cancel()


class WebhookWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        sender: WebhookSender,
        policy: RetryPolicy | None = None,
        on_failing: Callable[[int, str], Awaitable[object]] | None = None,
        lease: timedelta = timedelta(seconds=60),
        batch_size: int = 100,
        concurrency: int = 32,
        name: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.sender = sender
        self.policy = policy or RetryPolicy()
        self.on_failing = on_failing
        self.lease = lease
        self.batch_size = batch_size
        self.concurrency = asyncio.Semaphore(concurrency)
        self.limit = concurrency
        self.name = name or worker_id()

    async def _claim(self, session: AsyncConnection) -> list[_Claimed]:
        now = self.clock.now()
        d, s = webhook_deliveries.c, webhook_subscriptions.c
        free = or_(d.claimed_until.is_(None), d.claimed_until < now)
        async with session.begin():
            stmt = (
                select(d.id)
                .join(webhook_subscriptions, s.id == d.subscription_id)
                .where(d.status == PENDING, d.next_attempt_at <= now, free, s.active)
                .order_by(d.next_attempt_at, d.id)
                .limit(self.batch_size)
            )
            if session.dialect.name == "postgresql":
                stmt = stmt.with_for_update(skip_locked=True, of=webhook_deliveries)
            ids = list((await session.execute(stmt)).scalars())
            if not ids:
                return []
            claimed = (
                await session.execute(
                    update(webhook_deliveries)
                    .where(d.id.in_(ids), d.status == PENDING, free)
                    .values(claimed_by=self.name, claimed_until=now + self.lease, attempts=d.attempts + 1)
                    .returning(d.id, d.subscription_id, d.message_id, d.body, d.attempts)
                )
            ).all()
            sub_ids = {row.subscription_id for row in claimed}
            subs = {
                row.id: subscription_from_row(row)
                for row in await session.execute(select(webhook_subscriptions).where(s.id.in_(sub_ids)))
            }
        out = [_Claimed(r.id, subs[r.subscription_id], r.message_id, r.body, r.attempts) for r in claimed]
        return sorted(out, key=lambda c: c.id)

    async def _send(self, row: _Claimed, done: asyncio.Queue[_Sent | None], backlog: _Backlog) -> None:
        async with self.concurrency:
            backlog.started()
            now = self.clock.now()
            sub = row.subscription
            try:
                outcome = await self.sender.send(sub.url, row.message_id, row.body, sub.secrets_at(now), now)
            except Exception as exc:  # a bug or an odd URL must not leave the batch waiting for this row
                log.exception("webhook delivery %s could not be sent", row.id)
                outcome = Outcome(None, 0, f"{type(exc).__name__}: {exc}"[:500])
        retry_in = None if outcome.ok else self.policy.delay_after(row.attempt)
        done.put_nowait(_Sent(row, now, outcome, retry_in))

    def _failure_values(self, sent: _Sent, now: datetime) -> dict[str, Any]:
        outcome = sent.outcome
        values: dict[str, Any] = {"claimed_until": None, "last_status_code": outcome.status_code}
        if sent.retry_in is None:
            values.update(status=DEAD, finished_at=now, last_error=outcome.error)
        else:
            values.update(next_attempt_at=now + sent.retry_in, last_error=outcome.error)
        return values

    async def _book(self, session: AsyncConnection, group: list[_Sent]) -> None:
        """Book the outcomes of a group of attempts in one transaction (only rows this worker still holds:
        each UPDATE is conditional on the claim and returns the rows it changed)."""
        now = self.clock.now()
        d, s = webhook_deliveries.c, webhook_subscriptions.c
        failing: dict[int, datetime | None] = {}
        async with session.begin():
            ours: set[int] = set()
            # Successes share their values (by status code): one UPDATE each; failures differ row by row.
            succeeded: dict[int | None, list[int]] = {}
            for g in group:
                if g.outcome.ok:
                    succeeded.setdefault(g.outcome.status_code, []).append(g.row.id)
                else:
                    changed = await session.execute(
                        update(webhook_deliveries)
                        .where(d.id == g.row.id, d.claimed_by == self.name)
                        .values(**self._failure_values(g, now))
                        .returning(d.id)
                    )
                    ours.update(changed.scalars())
            for code, ids in succeeded.items():
                changed = await session.execute(
                    update(webhook_deliveries)
                    .where(d.id.in_(ids), d.claimed_by == self.name)
                    .values(
                        status=SUCCEEDED, finished_at=now, last_error=None, claimed_until=None, last_status_code=code
                    )
                    .returning(d.id)
                )
                ours.update(changed.scalars())
            booked = [g for g in group if g.row.id in ours]
            for lost in (g for g in group if g.row.id not in ours):
                log.info("webhook delivery %s was taken over by another worker; not booked", lost.row.id)
            if not booked:
                return
            await session.execute(
                insert(webhook_attempts),
                [
                    {
                        "delivery_id": b.row.id,
                        "subscription_id": b.row.subscription.id,
                        "attempt": b.row.attempt,
                        "worker": self.name,
                        "started_at": b.started,
                        "status_code": b.outcome.status_code,
                        "latency_ms": b.outcome.latency_ms,
                        "error": b.outcome.error,
                    }
                    for b in booked
                ],
            )
            alive = {b.row.subscription.id for b in booked if b.outcome.ok}
            down = {b.row.subscription.id for b in booked if not b.outcome.ok} - alive
            if alive:
                await session.execute(
                    update(webhook_subscriptions)
                    .where(s.id.in_(alive), s.failing_since.is_not(None))
                    .values(failing_since=None)
                )
            if down:
                await session.execute(
                    update(webhook_subscriptions)
                    .where(s.id.in_(down), s.failing_since.is_(None))
                    .values(failing_since=now)
                )
                rows = await session.execute(select(s.id, s.failing_since).where(s.id.in_(down), s.active))
                failing = {row.id: row.failing_since for row in rows}
        for b in booked:
            webhook_delivered("delivered" if b.outcome.ok else "retrying" if b.retry_in is not None else "dead")
            if not b.outcome.ok and b.retry_in is None:
                log.error(
                    "webhook delivery %s (%s) to %s is dead after %d attempts: %s",
                    b.row.id,
                    b.row.message_id,
                    b.row.subscription.url,
                    b.row.attempt,
                    b.outcome.error,
                )
        for sub_id, since in failing.items():
            if since is not None and now - since >= self.policy.disable_after and self.on_failing:
                last = next(b.outcome.error for b in reversed(booked) if b.row.subscription.id == sub_id)
                hours = self.policy.disable_after.total_seconds() / 3600
                await self.on_failing(sub_id, f"every delivery failed for {hours:g} hours (last: {last})")

    async def run_once(self) -> int:
        """Claim one batch, send it and book it; returns how many rows were attempted."""
        return await self._deliver(1)

    async def drain(self, max_batches: int = 1000) -> int:
        """Deliver until nothing is due (or ``max_batches`` claims); returns how many rows were attempted."""
        return await self._deliver(max_batches)

    async def run(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Deliver until ``stop`` is set; sleeps ``idle_seconds`` when nothing is due."""
        while not stop.is_set():
            try:
                sent = await self._deliver(1_000_000, stop)
            except Exception:
                log.exception("webhook delivery round failed; retrying")
                sent = 0
            if sent == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle_seconds)

    async def _deliver(self, max_batches: int, stop: asyncio.Event | None = None) -> int:
        """Claim, send and book as a pipeline: the next batch is claimed while the last rows of this one are
        on the wire (when no more than ``concurrency`` wait for a slot), and outcomes are booked in groups as
        they come back, in a task of their own; so the sends never wait for a booking or a claim. Claims and
        bookings each keep one connection for the whole run (no pool checkout and ping per transaction)."""
        engine: AsyncEngine = self.sessions.kw["bind"]
        done: asyncio.Queue[_Sent | None] = asyncio.Queue()
        sending: set[asyncio.Task[None]] = set()
        backlog = _Backlog(self.limit)
        total = 0
        async with engine.connect() as claims:
            batch = [] if stop is not None and stop.is_set() else await self._claim(claims)
            if not batch:
                return 0  # an idle poll takes one connection, not two
            async with engine.connect() as books:
                booker = asyncio.create_task(self._booker(books, done))
                try:
                    claimed = 1
                    while batch:
                        total += len(batch)
                        backlog.waiting += len(batch)
                        for row in batch:
                            task = asyncio.create_task(self._send(row, done, backlog))
                            sending.add(task)
                            task.add_done_callback(sending.discard)
                        await backlog.few(booker)
                        if claimed >= max_batches or (stop is not None and stop.is_set()) or booker.done():
                            break
                        batch = await self._claim(claims)
                        claimed += 1
                finally:
                    await asyncio.gather(*sending, return_exceptions=True)
                    done.put_nowait(None)
                    await booker  # its error, if booking failed
        return total

    async def _booker(self, session: AsyncConnection, done: asyncio.Queue[_Sent | None]) -> None:
        """Books what ``done`` brings, in groups of whatever came back meanwhile, until it brings None."""
        finished = False
        while not finished:
            item = await done.get()
            if item is None:
                return
            group = [item]
            while not done.empty():
                more = done.get_nowait()
                if more is None:
                    finished = True
                    break
                group.append(more)
            await self._book(session, group)


async def prune_deliveries(sessions: async_sessionmaker[AsyncSession], older_than: datetime) -> int:
    """Delete deliveries that succeeded before ``older_than`` with their attempt logs; returns how many.

    Pending and dead deliveries stay whatever their age (someone still has to see them)."""
    d, a = webhook_deliveries.c, webhook_attempts.c
    old = select(d.id).where(d.status == SUCCEEDED, d.finished_at < older_than)
    async with sessions() as session, session.begin():
        await session.execute(delete(webhook_attempts).where(a.delivery_id.in_(old)))
        result = await session.execute(delete(webhook_deliveries).where(d.id.in_(old)))
        return int(getattr(result, "rowcount", 0))
