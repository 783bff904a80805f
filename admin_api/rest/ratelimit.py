"""Per-key rate limits with the ``limits`` library: in Redis when configured (shared by every process), else
in this process's memory. A moving window: no burst of twice the rate across a window's edge."""

from __future__ import annotations

import time

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


class LimitsRateLimiter:
    def __init__(self, rate: str, redis_url: str | None = None) -> None:
        self.item = parse(rate)
        self.storage: Storage = (
            RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="chatshop-api")
            if redis_url
            else MemoryStorage()
        )
        self.limiter = MovingWindowRateLimiter(self.storage)

    async def hit(self, key: str) -> float | None:
        if await self.limiter.hit(self.item, key):
            return None
        stats = await self.limiter.get_window_stats(self.item, key)
        return max(0.0, stats.reset_time - time.time())
