"""Scheduled jobs that run once per time slot across every process sharing the database.

Each process runs the same in-process scheduler (APScheduler). When a job fires, the process first
inserts a ``job_runs`` row for (job, slot); the primary key lets exactly one process win the slot, on
SQLite and PostgreSQL alike, and leaves a visible record of who ran what and when.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.dialect_insert import session_insert
from domain.ports import Clock

log = logging.getLogger(__name__)


def slot_for(now: datetime, every: timedelta) -> str:
    seconds = int(every.total_seconds())
    return str(int(now.timestamp()) // max(1, seconds))


class SlotGuard:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, runner: str) -> None:
        self.sessions = sessions
        self.clock = clock
        self.runner = runner

    async def claim(self, job: str, slot: str) -> bool:
        async with self.sessions() as session, session.begin():
            values = {"job": job, "slot": slot, "runner": self.runner, "started_at": self.clock.now()}
            result = await session.execute(
                session_insert(session, orm.job_runs).values(**values).on_conflict_do_nothing()
            )
            return bool(getattr(result, "rowcount", 0))  # 0: another process has this slot

    async def finish(self, job: str, slot: str) -> None:
        async with self.sessions() as session, session.begin():
            t = orm.job_runs.c
            await session.execute(
                update(orm.job_runs).where(t.job == job, t.slot == slot).values(finished_at=self.clock.now())
            )

    async def run(self, job: str, every: timedelta, fn: Callable[[], Awaitable[object]]) -> bool:
        """Run ``fn`` if this process wins the current slot; True when it ran."""
        slot = slot_for(self.clock.now(), every)
        if not await self.claim(job, slot):
            return False
        try:
            await fn()
        except Exception:
            log.exception("scheduled job %s failed", job)
        finally:
            await self.finish(job, slot)
        return True

    async def prune(self, older_than: timedelta) -> None:
        async with self.sessions() as session, session.begin():
            t = orm.job_runs.c
            await session.execute(delete(orm.job_runs).where(t.started_at < self.clock.now() - older_than))
