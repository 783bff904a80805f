"""A send rate shared through the database, for shops without Redis: one GCRA schedule per key in a row.

Every process sending with one bot token (the server, a ``campaign send --foreground``, a second server)
reserves its slots from the same ``rate_schedules`` row, so together they keep the bot's one rate instead
of each keeping it alone (the issue-16 measurement: two senders at 29/s each, peaks of 57-59/s and 604
429s per 1,500 messages). Slots are reserved in blocks of about ``block_seconds`` worth (only as many as
there are senders waiting), so at any rate the database sees a few short transactions a second, and the
blocks of two processes interleave on one schedule. The row is locked for the reservation (``FOR UPDATE``
on PostgreSQL; SQLite's write transactions are serial), which is what makes the schedule one.

Times are each process's wall clock (microseconds since the epoch): processes sharing a SQLite file are on
one machine; on PostgreSQL across machines the clocks must be NTP-synchronised (Redis, which uses its own
clock, is preferred there).

A pause (Telegram's 429 ``retry_after``) is written to every row, so it holds every process's next
reservation; slots this process had reserved but not handed out are dropped.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters.dialect_insert import dialect_insert
from domain.adapters.orm_campaigns import rate_schedules

r = rate_schedules.c
# 3% below the nominal rate, as the other limiters (bots/campaigns/ratelimit.py): the remote counts arrivals
# in a sliding second, after network jitter.
SLACK = 0.97


class SqlRateLimiter:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        block_seconds: float = 0.25,
        late_slots: float = 1.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.block_seconds = block_seconds
        self.clock = clock
        self._locks: dict[str, asyncio.Lock] = {}
        self._slots: dict[str, deque[float]] = {}  # reserved here, not yet handed out (epoch seconds)
        self._waiting: Counter[str] = Counter()
        self.late_slots = late_slots
        self.reservations = 0  # transactions so far (the bench and tests look)
        self.dropped = 0  # slots given up because this process woke up too late for them

    async def acquire(self, key: str, rate: float) -> None:
        """Wait for this process's next slot under ``key`` on the shared schedule.

        A slot this process wakes up for more than ``late_slots`` intervals late (a stalled event loop on a
        busy machine) is given up and another reserved: sent late, it would land among the next slots,
        which are other processes' too, and the remote counts arrivals per sliding second."""
        interval = 1.0 / (rate * SLACK)
        while True:
            slot = await self._take(key, rate, interval)
            wait = slot - self.clock()
            if wait > 0:
                await asyncio.sleep(wait)
            if self.clock() - slot <= self.late_slots * interval:
                return
            self.dropped += 1

    async def _take(self, key: str, rate: float, interval: float) -> float:
        self._waiting[key] += 1
        try:
            async with self._locks.setdefault(key, asyncio.Lock()):
                slots = self._slots.setdefault(key, deque())
                now = self.clock()
                while slots and slots[0] < now - interval:
                    slots.popleft()  # reserved for a sender that gave up (stopped): too late to use now
                if not slots:
                    block = max(1, int(rate * self.block_seconds))
                    n = min(block, max(1, self._waiting[key]))
                    first = await self._reserve(key, interval, n)
                    slots.extend(first + i * interval for i in range(n))
                return slots.popleft()
        finally:
            self._waiting[key] -= 1

    async def _reserve(self, key: str, interval: float, n: int) -> float:
        """Take ``n`` consecutive slots from the shared schedule; returns the first (epoch seconds)."""
        async with self.sessions() as session, session.begin():
            postgres = session.bind.dialect.name == "postgresql"
            stmt = select(r.next_slot_us, r.paused_until_us).where(r.key == key)
            if postgres:
                stmt = stmt.with_for_update()
            row = (await session.execute(stmt)).first()
            if row is None:
                await session.execute(
                    dialect_insert(session.bind.dialect.name, rate_schedules)
                    .values(key=key, next_slot_us=0, paused_until_us=0)
                    .on_conflict_do_nothing(index_elements=["key"])
                )
                row = (await session.execute(stmt)).one()
            now_us = int(self.clock() * 1_000_000)
            first = max(int(row.next_slot_us), now_us, int(row.paused_until_us))
            await session.execute(
                update(rate_schedules).where(r.key == key).values(next_slot_us=first + int(n * interval * 1_000_000))
            )
        self.reservations += 1
        return first / 1_000_000

    async def pause(self, seconds: float) -> None:
        """Hold every process's next slot for ``seconds`` (a 429's ``retry_after``: the limit is per bot)."""
        until_us = int((self.clock() + seconds) * 1_000_000)
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(rate_schedules).where(r.paused_until_us < until_us).values(paused_until_us=until_us)
            )
        for slots in self._slots.values():
            slots.clear()
