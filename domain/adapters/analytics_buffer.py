"""Analytics rows kept in memory for a moment and written together: one transaction and one
``executemany`` per ~200 ms for every turn in that window, instead of a write transaction per turn (on
SQLite, a write lock per turn).

Rows are written ``interval`` seconds after the first one of a batch arrives, when a view reads analytics
(``flush`` first), and on ``close`` (the shop stopping): a clean stop loses nothing. A failed write keeps
the rows for the next attempt. A crash of the process loses at most the last ``interval`` of rows — the
price of not writing them in the turn.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.adapters import orm
from domain.model.analytics import AnalyticsEvent

log = logging.getLogger(__name__)

_COLUMNS = ("name", "occurred_at", "customer_id", "channel", "product_id", "order_id", "value", "properties")
_INSERT = insert(orm.analytics_events)  # built once: its compiled form is cached
MAX_PENDING = 10_000  # a database away for long: keep the newest rows, not all memory


class BufferedAnalytics:
    def __init__(self, engine: AsyncEngine, interval: float = 0.2) -> None:
        self._engine = engine
        self.interval = interval
        self._pending: list[dict[str, Any]] = []
        self._timer: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None  # the timer's flush, which close() lets finish
        self._writing = asyncio.Lock()
        self.batches = 0  # statements written (tests count them)

    def add(self, events: Sequence[AnalyticsEvent]) -> None:
        self._pending.extend({k: getattr(e, k) for k in _COLUMNS} for e in events)
        if len(self._pending) > MAX_PENDING:
            dropped = len(self._pending) - MAX_PENDING
            del self._pending[:dropped]
            log.warning("analytics buffer full: %d oldest rows dropped", dropped)
        if self._timer is None or self._timer.done():
            self._timer = asyncio.get_running_loop().create_task(self._flush_later())

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def _flush_later(self) -> None:
        await asyncio.sleep(self.interval)
        # Shielded: ``close`` cancels this timer, and a write cancelled half-way could leave its connection
        # inside a transaction (on SQLite, holding the write lock the final flush then waits for).
        self._writer = asyncio.get_running_loop().create_task(self._flush_logged())
        await asyncio.shield(self._writer)

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception:  # kept for the next flush; analytics never take the shop down
            log.warning("analytics rows not written yet (%d pending)", len(self._pending), exc_info=True)

    async def flush(self) -> None:
        """Write every row added so far (one transaction, one executemany)."""
        async with self._writing:
            rows, self._pending = self._pending, []
            if not rows:
                return
            try:
                try:
                    await self._write(rows)
                except IntegrityError:
                    # A customer merged away or deleted since the row was recorded: kept without its
                    # customer rather than blocking every later row behind it.
                    await self._write(await self._known_customers(rows))
            except BaseException:
                self._pending[:0] = rows  # first in line next time
                raise
            self.batches += 1

    async def _write(self, rows: list[dict[str, Any]]) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(_INSERT, rows)

    async def _known_customers(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = sorted({r["customer_id"] for r in rows if r["customer_id"] is not None})
        customers = orm.customers.c
        async with self._engine.connect() as conn:
            known = set((await conn.execute(select(customers.id).where(customers.id.in_(ids)))).scalars())
        return [{**r, "customer_id": None} if r["customer_id"] not in known else r for r in rows]

    async def close(self) -> None:
        """Stop the timer and write what is left (the shop is stopping)."""
        timer, self._timer = self._timer, None
        if timer is not None and not timer.done():
            timer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await timer
        if self._writer is not None:
            await self._writer
        await self.flush()
