"""The web chat's history and fan-out in Redis (``CHATSHOP_REDIS_URL``), shared by every ``chatshop run``.

Per chat: ``{prefix}h:{chat}``, a list of history entries (JSON) capped at the last ``history_size`` with a TTL
renewed at each write, and ``{prefix}p:{chat}``, the set of notice ids no socket has shown yet. One pub/sub
channel (``{prefix}frames``) carries every frame with its chat id; each process keeps those for chats whose
sockets it holds. Pub/sub is at most once: a frame lost on the way only costs a live update, since the history
and the pending notices are in Redis and a reconnecting widget gets them back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from datetime import timedelta
from typing import Any

from channels.webchat.hub import Deliver, Entry, Frame

log = logging.getLogger(__name__)
PREFIX = "chatshop:webchat:"


# Redraws an answer in place (an option picked on a product card): the newest entry with that message id and
# kind of reply becomes the new one, atomically (an append trimming the list meanwhile can't shift the index).
_REPLACE = """
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i = #items, 1, -1 do
  local ok, e = pcall(cjson.decode, items[i])
  if ok and type(e) == 'table' and e['from'] == 'bot' and e['notice'] == nil and e['mid'] == ARGV[1]
     and type(e['reply']) == 'table' and e['reply']['kind'] == ARGV[2] then
    redis.call('LSET', KEYS[1], i - 1, ARGV[3])
    redis.call('EXPIRE', KEYS[1], ARGV[4])
    return 1
  end
end
return 0
"""


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class RedisHistory:
    def __init__(self, redis: Any, history_size: int = 60, ttl: timedelta = timedelta(days=7)) -> None:
        self.redis = redis  # a redis.asyncio.Redis
        self.history_size = history_size
        self.ttl = max(int(ttl.total_seconds()), 1)

    async def append(self, chat_id: str, entries: list[Entry]) -> None:
        if self.history_size <= 0 or not entries:
            return
        key = PREFIX + "h:" + chat_id
        async with self.redis.pipeline(transaction=False) as pipe:  # one round trip
            pipe.rpush(key, *(_dumps(e) for e in entries))
            pipe.ltrim(key, -self.history_size, -1)
            pipe.expire(key, self.ttl)
            await pipe.execute()

    async def replace(self, chat_id: str, entry: Entry) -> bool:
        mid, kind = entry.get("mid"), (entry.get("reply") or {}).get("kind")
        if not isinstance(mid, str) or not isinstance(kind, str):
            return False
        key = PREFIX + "h:" + chat_id
        found = await self.redis.eval(_REPLACE, 1, key, mid, kind, _dumps(entry), self.ttl)
        return bool(found)

    async def add_notice(self, chat_id: str, notice_id: str, entries: list[Entry]) -> None:
        key, pending = PREFIX + "h:" + chat_id, PREFIX + "p:" + chat_id
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, *(_dumps(e) for e in entries))
            pipe.ltrim(key, -max(self.history_size, len(entries)), -1)
            pipe.expire(key, self.ttl)
            pipe.sadd(pending, notice_id)
            pipe.expire(pending, self.ttl)
            await pipe.execute()

    async def shown(self, chat_id: str, notice_id: str) -> None:
        await self.redis.srem(PREFIX + "p:" + chat_id, notice_id)

    async def resume(self, chat_id: str) -> tuple[list[Entry], set[str]]:
        key, pending = PREFIX + "h:" + chat_id, PREFIX + "p:" + chat_id
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.lrange(key, 0, -1)
            pipe.smembers(pending)
            pipe.delete(pending)
            raw, ids, _ = await pipe.execute()
        return [json.loads(item) for item in raw], {i.decode() if isinstance(i, bytes) else str(i) for i in ids}

    async def prune(self) -> int:
        return 0  # every key expires by itself

    async def close(self) -> None:
        await self.redis.aclose()


class RedisFanout:
    def __init__(self, redis: Any, channel: str = PREFIX + "frames") -> None:
        self.redis = redis
        self.channel = channel
        self.origin = secrets.token_hex(8)  # this process: its own messages come back and are skipped

    async def publish(self, chat_id: str, frames: list[Frame], turn: str | None = None) -> None:
        await self.redis.publish(self.channel, _dumps({"o": self.origin, "c": chat_id, "f": frames, "t": turn}))

    async def listen(self, deliver: Deliver, ready: asyncio.Event) -> None:
        delay = 0.5
        while True:
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                ready.set()
                delay = 0.5
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    try:
                        data = json.loads(message["data"])
                        if data.get("o") == self.origin:
                            continue
                        turn = data.get("t")
                        await deliver(str(data["c"]), list(data["f"]), turn if isinstance(turn, str) else None)
                    except Exception:  # one bad message must not stop the listener
                        log.exception("web chat: a frame from another process was not delivered")
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: live frames from elsewhere wait; histories still hold them
                log.warning("web chat: pub/sub lost; resubscribing in %.1f s", delay, exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)
            finally:
                try:
                    await pubsub.aclose()
                except Exception:
                    log.debug("web chat: closing pub/sub failed", exc_info=True)

    async def close(self) -> None:
        return None  # shares the history's client, which closes it
