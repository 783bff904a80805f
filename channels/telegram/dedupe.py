"""Each webhook update is handled once: Telegram re-sends an update when our answer is slow or fails.

A claim is taken before the update is handled and given back when handling fails, so Telegram's retry
of a failed update is handled again (a successful payment must not be lost), while a retry of an update
that went through is ignored. Redis (``SET NX EX``) when configured: shared by every process behind the
webhook. Without Redis, an in-process LRU of recent update ids: right for the single process a shop
without Redis runs (the database was not used: a claim that must be released on failure would need a
delete, and the outbox's processed-messages table has no retention).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Protocol

DAY = 24 * 3600


class UpdateDedupe(Protocol):
    async def claim(self, key: str) -> bool: ...
    async def release(self, key: str) -> None: ...


class MemoryDedupe:
    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def claim(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = None
        while len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True

    async def release(self, key: str) -> None:
        self._seen.pop(key, None)


class RedisDedupe:
    def __init__(self, redis: Any, prefix: str = "chatshop:tg:update:", ttl: int = DAY) -> None:
        self.redis = redis  # a redis.asyncio.Redis
        self.prefix = prefix
        self.ttl = ttl  # Telegram keeps an unanswered update for 24 hours

    @classmethod
    def from_url(cls, url: str) -> RedisDedupe:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url))

    async def claim(self, key: str) -> bool:
        return bool(await self.redis.set(self.prefix + key, b"1", nx=True, ex=self.ttl))

    async def release(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)

    async def close(self) -> None:
        await self.redis.aclose()
