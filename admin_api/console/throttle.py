"""Sign-in throttling with the ``limits`` library: failed attempts are counted per staff name and per client
address in a moving window (in Redis when configured, so every process counts together)."""

from __future__ import annotations

import time

from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter


class LoginThrottle:
    def __init__(self, per_name: str, per_address: str, redis_url: str | None = None) -> None:
        self.per_name, self.per_address = parse(per_name), parse(per_address)
        self.storage: Storage = (
            RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="chatshop-console")
            if redis_url
            else MemoryStorage()
        )
        self.limiter = MovingWindowRateLimiter(self.storage)

    def _keys(self, name: str, address: str) -> list[tuple[object, str]]:
        return [(self.per_name, f"name:{name.strip().casefold()}"), (self.per_address, f"addr:{address}")]

    async def wait(self, name: str, address: str) -> float | None:
        """Seconds until another attempt may be made, or None when one may be made now."""
        waits = []
        for item, key in self._keys(name, address):
            if not await self.limiter.test(item, key):  # type: ignore[arg-type]
                stats = await self.limiter.get_window_stats(item, key)  # type: ignore[arg-type]
                waits.append(max(1.0, stats.reset_time - time.time()))
        return max(waits) if waits else None

    async def failed(self, name: str, address: str) -> None:
        for item, key in self._keys(name, address):
            await self.limiter.hit(item, key)  # type: ignore[arg-type]
