"""Conversation state per (channel, chat): in memory by default, in Redis when configured.

A chat idle longer than the timeout starts fresh (a shopper coming back tomorrow shouldn't land in the
middle of yesterday's address form). The transcript keeps the last lines for a hand-off to a human.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from domain.ports import Clock

DEFAULT_TIMEOUT = timedelta(minutes=30)
TRANSCRIPT_LINES = 30
TRANSCRIPT_LINE_CHARS = 500


@dataclass
class ConversationState:
    customer_id: int | None = None
    locale: str = "en"
    flow: str | None = None  # a flow waiting for free text (checkout form, return reason, coupon code)
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    memory: dict[str, Any] = field(default_factory=dict)  # outlives a flow: last search, last product
    transcript: list[tuple[str, str]] = field(default_factory=list)
    handoff_ticket: int | None = None
    updated_at: str = ""  # ISO time of the last turn
    fresh: bool = True  # not persisted: True when this state was just created

    def remember(self, who: str, text: str) -> None:
        text = text.strip()
        if text:
            self.transcript = [*self.transcript, (who, text[:TRANSCRIPT_LINE_CHARS])][-TRANSCRIPT_LINES:]

    def start(self, flow: str, step: str, **data: Any) -> None:
        self.flow, self.step, self.data = flow, step, dict(data)

    def finish(self) -> None:
        self.flow, self.step, self.data = None, None, {}

    def to_json(self) -> str:
        # The fields as they are: json.dumps walks them without the deep copy asdict makes (5-13% of a
        # turn). A dataclass left inside data or memory (which JSON cannot hold) takes the asdict way.
        data = {name: getattr(self, name) for name in _PERSISTED}
        try:
            return json.dumps(data, separators=(",", ":"))
        except TypeError:
            data = asdict(self)
            data.pop("fresh")
            return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str | bytes) -> ConversationState:
        data = json.loads(raw)
        data["transcript"] = [(str(w), str(t)) for w, t in data.get("transcript", [])]
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "fresh"}
        return cls(**known, fresh=False)


_PERSISTED = tuple(name for name in ConversationState.__dataclass_fields__ if name != "fresh")


def state_key(channel: str, chat_id: str) -> str:
    return f"{channel}:{chat_id}"


class StateStore(Protocol):
    async def load(self, key: str) -> ConversationState: ...
    async def save(self, key: str, state: ConversationState) -> None: ...
    async def drop(self, key: str) -> None: ...


def _expired(state: ConversationState, now: datetime, timeout: timedelta) -> bool:
    if not state.updated_at:
        return False
    try:
        return now - datetime.fromisoformat(state.updated_at) > timeout
    except ValueError:
        return True


class MemoryStateStore:
    """A bounded LRU map; fine for one process (the CLI, tests, a single web server)."""

    def __init__(self, clock: Clock, timeout: timedelta = DEFAULT_TIMEOUT, max_chats: int = 50_000) -> None:
        self.clock = clock
        self.timeout = timeout
        self.max_chats = max_chats
        self._states: OrderedDict[str, str] = OrderedDict()

    async def load(self, key: str) -> ConversationState:
        raw = self._states.get(key)
        if raw is None:
            return ConversationState()
        state = ConversationState.from_json(raw)
        if _expired(state, self.clock.now(), self.timeout):
            del self._states[key]
            return ConversationState(customer_id=state.customer_id, locale=state.locale)
        self._states.move_to_end(key)
        return state

    async def save(self, key: str, state: ConversationState) -> None:
        state.updated_at = self.clock.now().isoformat()
        # Stored as JSON, like Redis does, so both stores behave the same (no shared mutable objects).
        self._states[key] = state.to_json()
        self._states.move_to_end(key)
        while len(self._states) > self.max_chats:
            self._states.popitem(last=False)

    async def drop(self, key: str) -> None:
        self._states.pop(key, None)


class RedisStateStore:
    """State in Redis with a TTL a little longer than the timeout; the timeout itself is checked
    against our clock so tests with a fake clock see the same behaviour as with memory."""

    def __init__(self, redis: Any, clock: Clock, timeout: timedelta = DEFAULT_TIMEOUT, prefix: str = "chatshop:conv:"):
        self.redis = redis  # a redis.asyncio.Redis
        self.clock = clock
        self.timeout = timeout
        self.prefix = prefix

    @classmethod
    def from_url(cls, url: str, clock: Clock, timeout: timedelta = DEFAULT_TIMEOUT) -> RedisStateStore:
        from redis.asyncio import Redis

        return cls(Redis.from_url(url), clock, timeout)

    async def load(self, key: str) -> ConversationState:
        raw = await self.redis.get(self.prefix + key)
        if raw is None:
            return ConversationState()
        state = ConversationState.from_json(raw)
        if _expired(state, self.clock.now(), self.timeout):
            await self.redis.delete(self.prefix + key)
            return ConversationState(customer_id=state.customer_id, locale=state.locale)
        return state

    async def save(self, key: str, state: ConversationState) -> None:
        state.updated_at = self.clock.now().isoformat()
        ttl = int(self.timeout.total_seconds()) + 3600  # identity and locale outlive the flow a while
        await self.redis.set(self.prefix + key, state.to_json(), ex=ttl)

    async def drop(self, key: str) -> None:
        await self.redis.delete(self.prefix + key)

    async def close(self) -> None:
        await self.redis.aclose()
