"""Background work of a running shop: the outbox worker, long-running workers and scheduled jobs.

Every process runs the same jobs; ``SlotGuard`` lets exactly one process run each firing, so a shop can
run several ``chatshop run`` processes on one PostgreSQL without double work. Workers (``add_worker``,
e.g. the campaign sender) start with the runtime and run until it stops; each gets the stop event and
is awaited on stop, so it can finish what it started (``on_stop`` closers run after them).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import UTC, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters.outbox import prune_outbox
from domain.adapters.rollups import refresh_recent_funnel
from domain.service_layer.handlers.payments import retry_pending_refunds

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, shop: Shop, outbox_idle_seconds: float = 1.0) -> None:
        self.shop = shop
        self.outbox_idle_seconds = outbox_idle_seconds
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._outbox_task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._workers: list[tuple[str, Callable[[asyncio.Event], Coroutine[Any, Any, None]]]] = []
        self._worker_tasks: list[asyncio.Task[None]] = []
        self._closers: list[Callable[[], Awaitable[object]]] = []
        self.add_job("expire-reservations", timedelta(seconds=30), self._expire)
        self.add_job("retry-refunds", timedelta(minutes=1), lambda: retry_pending_refunds(shop.bus.ctx))
        self.add_job("prune-job-runs", timedelta(hours=6), lambda: shop.jobs.prune(timedelta(days=7)))
        self.add_job("prune-outbox", timedelta(hours=6), self._prune_outbox)
        self.add_job(
            "analytics-funnel", timedelta(minutes=10), lambda: refresh_recent_funnel(shop.sessions, shop.clock)
        )

    async def _expire(self) -> None:
        expired = await self.shop.bus.handle(c.ExpireReservations())
        if expired:
            log.info("released the reservations of %d unpaid orders", expired)

    async def _prune_outbox(self) -> None:
        keep = timedelta(days=self.shop.settings.outbox_retention_days)
        events, marks = await prune_outbox(self.shop.sessions, self.shop.clock.now() - keep)
        if events or marks:
            log.info("pruned %d delivered outbox events and %d delivery marks", events, marks)

    def add_job(self, name: str, every: timedelta, fn: Callable[[], Awaitable[object]]) -> None:
        async def guarded() -> None:
            await self.shop.jobs.run(name, every, fn)

        self.scheduler.add_job(
            guarded,
            "interval",
            seconds=every.total_seconds(),
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(every.total_seconds()),
        )

    def add_daily_job(self, name: str, at: str, fn: Callable[[], Awaitable[object]], timezone: str = "UTC") -> None:
        """Run ``fn`` once a day at ``at`` ("HH:MM", in ``timezone``), once across all processes."""
        hour, minute = (int(part) for part in at.split(":", 1))

        async def guarded() -> None:
            await self.shop.jobs.run(name, timedelta(days=1), fn)

        self.scheduler.add_job(
            guarded,
            "cron",
            hour=hour,
            minute=minute,
            timezone=timezone,
            id=name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )

    def add_worker(self, name: str, fn: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> None:
        """Run ``fn(stop)`` from start to stop; it returns once ``stop`` is set and its work is put away."""
        self._workers.append((name, fn))

    def on_stop(self, fn: Callable[[], Awaitable[object]]) -> None:
        """Call ``fn`` on stop, after the workers have returned (closing their connections)."""
        self._closers.append(fn)

    async def _outbox_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                delivered = await self.shop.outbox.run_once()
            except Exception:
                log.exception("outbox delivery failed; retrying")
                delivered = 0
            if delivered == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.outbox_idle_seconds)

    async def start(self) -> None:
        self.scheduler.start()
        self._outbox_task = asyncio.create_task(self._outbox_loop(), name="outbox")
        self._worker_tasks = [asyncio.create_task(fn(self._stopping), name=name) for name, fn in self._workers]

    async def stop(self) -> None:
        self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for task in self._worker_tasks:
            try:
                await task
            except Exception:
                log.exception("worker %s failed while stopping", task.get_name())
        if self._outbox_task is not None:
            await self._outbox_task
        for close in self._closers:
            try:
                await close()
            except Exception:
                log.exception("closing %r failed", close)
