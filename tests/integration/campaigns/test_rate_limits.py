"""The broadcast rate is one rate across processes (through Redis, or the database without it) and a 429 pauses
every sender."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from redis.asyncio import Redis

from bots.campaigns.ratelimit import LocalRateLimiter, RateLimiter, RedisRateLimiter, SharedRateLimiter
from chatshop.bootstrap import Shop
from domain.adapters.campaigns_ratelimit import SqlRateLimiter
from tests.support.services import redis_url

pytestmark = pytest.mark.timeout(60)


async def grant_times(limiters: list[RateLimiter], n: int, rate: float) -> list[float]:
    times: list[float] = []

    async def one(limiter: RateLimiter) -> None:
        await limiter.acquire("global:telegram", rate)
        times.append(time.monotonic())

    await asyncio.gather(*(one(limiters[i % len(limiters)]) for i in range(n)))
    return sorted(times)


def busiest_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


async def test_two_limiters_sharing_redis_keep_one_rate_between_them() -> None:
    prefix = f"test:{uuid.uuid4().hex}:"
    first, second = (RedisRateLimiter(Redis.from_url(redis_url()), prefix) for _ in range(2))
    times = await grant_times([first, second], 150, rate=100)
    # Paced at SLACK of the rate; the margin absorbs a busy machine's late wake-ups, never the limit itself.
    assert busiest_second(times) <= 100
    assert times[-1] - times[0] >= 149 / 100  # not two rates of 100 side by side
    await first.pause(0.5)
    started = time.monotonic()
    await second.acquire("global:telegram", 100)  # the other process's 429 holds this one too
    assert time.monotonic() - started >= 0.45
    await first.aclose()
    await second.aclose()


async def test_the_local_limiter_paces_evenly_and_a_pause_holds_every_waiting_sender() -> None:
    limiter = LocalRateLimiter()
    times = await grant_times([limiter], 120, rate=200)
    assert busiest_second(times) <= 200
    await limiter.pause(0.3)
    started = time.monotonic()
    await asyncio.gather(*(limiter.acquire("global:telegram", 200) for _ in range(3)))
    assert time.monotonic() - started >= 0.29


@pytest.mark.parametrize("shared", [False, True], ids=["local", "redis"])
async def test_slots_that_came_due_during_a_stall_do_not_burst_past_the_rate(shared: bool) -> None:
    """A busy event loop wakes every sleeping sender late at once; the remote counts arrivals per second."""
    prefix = f"test:{uuid.uuid4().hex}:"
    limiters: list[RateLimiter] = (
        [RedisRateLimiter(Redis.from_url(redis_url()), prefix) for _ in range(2)] if shared else [LocalRateLimiter()]
    )

    async def stall() -> None:
        await asyncio.sleep(0.4)
        time.sleep(0.3)  # noqa: ASYNC251 - blocking on purpose: the stall being tested

    stalling = asyncio.create_task(stall())
    times = await grant_times(limiters, 160, rate=100)
    await stalling
    assert busiest_second(times) <= 100  # the limit itself (pacing at SLACK of it leaves room for late wake-ups)
    for limiter in limiters:
        if isinstance(limiter, RedisRateLimiter):
            await limiter.aclose()


async def test_two_processes_sharing_the_database_keep_one_rate_between_them_and_share_a_pause(
    shop: Shop,
) -> None:
    """Without Redis the bot's rate is a row in the database (``rate_schedules``): two limiters on it, as two
    processes would hold, get one rate between them, reserving a few slots per transaction."""
    first, second = (SharedRateLimiter(SqlRateLimiter(shop.sessions)) for _ in range(2))
    times = await grant_times([first, second], 120, rate=100)
    assert busiest_second(times) <= 100  # the limit itself (pacing at SLACK of it leaves room for late wake-ups)
    assert times[-1] - times[0] >= 110 / 100  # not two rates of 100 side by side
    shared = [limiter.shared for limiter in (first, second) if isinstance(limiter.shared, SqlRateLimiter)]
    assert sum(s.reservations for s in shared) <= 120 / 4  # blocks of slots, not a transaction per message
    await first.pause(0.5)
    started = time.monotonic()
    await second.acquire("global:telegram", 100)  # the other process's 429 holds this one too
    assert time.monotonic() - started >= 0.45
