"""Rate limits for broadcasts: a global rate and a per-chat rate, in one process or shared through Redis.

Both limiters are GCRA ("generic cell rate algorithm") schedules: each acquire *reserves* the next slot,
``1/rate`` after the previous one, and sleeps until it. A late wake-up (a busy event loop) does not
shift every later slot, so the achieved rate stays at the limit. We measured ``aiolimiter`` (what the
Telegram sender uses) with a one-token bucket first: every wake-up delay was lost for good and a
250/s broadcast reached 0.85 of the limit; with a larger bucket it bursts past a sliding one-second
window (Telegram's, and the fake's) and earns 429s. ``bench/broadcast.py`` shows the figures.

Shared: the same schedule in one small Lua script on Redis, using Redis' clock so processes on several
machines agree. We looked at ``limits`` (hit/test only: no "reserve and tell me when") and
``pyrate-limiter`` (a larger dependency for these 15 lines of Lua). Both limiters honour a shared pause:
a 429's ``retry_after`` stops every sender, not only the one that got it.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections import OrderedDict, deque
from typing import Any, Protocol

GLOBAL = "global"
# 3% below the nominal rate: the remote counts arrivals in a sliding second, after network jitter.
SLACK = 0.97
# After a stall the slots that came due are caught up at no more than twice the rate, not all at once: a
# bunch released together reaches the remote spread over the time the sender takes to write it, and the
# bench saw its 429s a second after such bunches (each costs a one-second pause of every sender).
CATCH_UP = 2.0


class RateLimiter(Protocol):
    async def acquire(self, key: str, rate: float) -> None:
        """Wait until one more event under ``key`` keeps it within ``rate`` per second."""

    async def pause(self, seconds: float) -> None:
        """Hold every acquire (in every process sharing the limiter) for ``seconds``."""


class LocalRateLimiter:
    """GCRA spacing, plus a guard that mirrors the remote's own check: never more than ``rate`` grants
    within any one second, and never two closer than half the interval. The guard only bites after the
    event loop stalled and several reserved slots came due together (a bunch the remote would answer
    with 429): they go out at twice the rate until the schedule is caught up."""

    def __init__(self, max_keys: int = 20_000) -> None:
        self._tat: OrderedDict[str, float] = OrderedDict()  # key -> when its next slot is free
        self._granted: dict[str, deque[float]] = {}  # key -> grant times within the last second
        self._paused_until = 0.0
        self.max_keys = max_keys

    def reserve(self, key: str, rate: float) -> float:
        """Take the next slot under ``key``; returns the seconds to wait for it."""
        now = time.monotonic()
        slot = max(self._tat.get(key, 0.0), now, self._paused_until)
        self._tat[key] = slot + 1.0 / (rate * SLACK)
        self._tat.move_to_end(key)
        while len(self._tat) > self.max_keys:
            old, _ = self._tat.popitem(last=False)
            self._granted.pop(old, None)
        return slot - now

    async def acquire(self, key: str, rate: float) -> None:
        wait = self.reserve(key, rate)
        if wait > 0:
            await asyncio.sleep(wait)
        await self.guard(key, rate)

    async def guard(self, key: str, rate: float) -> None:
        """The check on what this process really granted (after its late wake-ups): at most ``rate`` grants
        within any one second, none closer than half the interval."""
        window = self._granted.setdefault(key, deque())
        most = max(1, int(rate * SLACK))
        closest = 1.0 / (rate * SLACK * CATCH_UP)
        while True:
            now = time.monotonic()
            while window and now - window[0] >= 1.0:
                window.popleft()
            if len(window) >= most:
                await asyncio.sleep(window[0] + 1.0 - now)
            elif window and now - window[-1] < closest:
                await asyncio.sleep(window[-1] + closest - now)
            else:
                window.append(now)
                return

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        # Slots already handed out before the pause must not fire inside it either.
        for key, tat in self._tat.items():
            if tat < self._paused_until:
                self._tat[key] = self._paused_until


class SharedRateLimiter:
    """Overall rates (``global:`` keys) on a schedule shared with other processes (``shared``: e.g. the
    database's ``SqlRateLimiter`` when there is no Redis), then this process's guard against bunched late
    wake-ups; per-chat rates stay in this process (a campaign messages each chat once a run)."""

    def __init__(self, shared: RateLimiter, local: LocalRateLimiter | None = None) -> None:
        self.shared = shared
        self.local = local or LocalRateLimiter()

    async def acquire(self, key: str, rate: float) -> None:
        if key.startswith(GLOBAL):
            await self.shared.acquire(key, rate)
            await self.local.guard(key, rate)
        else:
            await self.local.acquire(key, rate)

    async def pause(self, seconds: float) -> None:
        await self.shared.pause(seconds)
        await self.local.pause(seconds)

    async def aclose(self) -> None:
        close = getattr(self.shared, "aclose", None)
        if close is not None:
            await close()


# KEYS[1] the schedule (next free slot, ms), KEYS[2] pause-until (ms); ARGV[1] interval (ms).
# Reserves the next slot and returns how many microseconds to wait for it (0: go now).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now, tonumber(redis.call('GET', KEYS[2]) or '0'))
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(slot + interval), 'PX', math.ceil(slot - now + interval) + 1000)
return math.floor((slot - now) * 1000)
"""

# The guard on what was really granted (after each process woke up), shared like the schedule: at most
# ARGV[1] grants within any one second and none closer than ARGV[2] ms to the previous one. KEYS[1] a sorted
# set of grant times (ms); ARGV[3] a member unique to this grant. Returns 0 (granted, recorded) or the
# microseconds to wait before asking again. Without it two processes' late wake-ups bunch: the bench with
# two workers saw about 100 429s per 10,000 messages.
_GUARD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 1000)
local most = tonumber(ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= most then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, math.floor((tonumber(oldest[2]) + 1000 - now) * 1000))
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local closest = tonumber(ARGV[2])
if last[2] and now - tonumber(last[2]) < closest then
  return math.max(1, math.floor((tonumber(last[2]) + closest - now) * 1000))
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], 2000)
return 0
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local until_ms = now + tonumber(ARGV[1])
if until_ms > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], tostring(until_ms), 'PX', math.ceil(tonumber(ARGV[1])) + 1000)
end
return 0
"""


class RedisRateLimiter:
    """Slots shared by every process using the same Redis (and ``prefix``)."""

    def __init__(self, redis: Any, prefix: str = "chatshop:campaigns:rate:") -> None:
        self.redis = redis
        self.prefix = prefix
        self._reserve = redis.register_script(_RESERVE)
        self._guard = redis.register_script(_GUARD)
        self._pause = redis.register_script(_PAUSE)
        self._grants = itertools.count()
        self._me = os.urandom(6).hex()

    @classmethod
    def from_url(cls, url: str) -> RedisRateLimiter:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url))

    async def acquire(self, key: str, rate: float) -> None:
        interval_ms = 1000.0 / (rate * SLACK)
        wait_us = int(await self._reserve(keys=[self.prefix + key, self.prefix + "pause"], args=[interval_ms]))
        if wait_us > 0:
            await asyncio.sleep(wait_us / 1_000_000)
        most = int(rate * SLACK)
        if most < 2:
            return  # a per-chat rate (1/s): the schedule alone keeps it, no second round trip
        closest_ms = interval_ms / CATCH_UP
        member = f"{self._me}:{next(self._grants)}"
        while True:
            wait_us = int(await self._guard(keys=[self.prefix + key + ":granted"], args=[most, closest_ms, member]))
            if wait_us <= 0:
                return
            await asyncio.sleep(wait_us / 1_000_000)

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self.prefix + "pause"], args=[seconds * 1000])

    async def aclose(self) -> None:
        await self.redis.aclose()
