"""Both stores behave the same; the Redis one needs CHATSHOP_TEST_REDIS_URL (skips or fails per CI)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bots.conversation.state import (
    TRANSCRIPT_LINES,
    ConversationState,
    MemoryStateStore,
    RedisStateStore,
    StateStore,
)
from tests.support.clock import FakeClock
from tests.support.services import redis_url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def store(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[StateStore]:
    if request.param == "memory":
        yield MemoryStateStore(clock, timedelta(minutes=30))
        return
    redis_store = RedisStateStore.from_url(redis_url(), clock, timedelta(minutes=30))
    redis_store.prefix = f"test:{id(redis_store)}:"
    yield redis_store
    await redis_store.redis.flushdb()
    await redis_store.close()


async def test_unknown_chat_starts_fresh(store: StateStore) -> None:
    state = await store.load("webchat:nobody")
    assert state.fresh and state.customer_id is None and state.flow is None


async def test_saved_state_comes_back_with_flow_memory_and_transcript(store: StateStore) -> None:
    state = ConversationState(customer_id=7, locale="zh")
    state.start("checkout", "city", address={"name": "Ann"})
    state.memory["product_id"] = 3
    state.remember("shopper", "hi")
    await store.save("webchat:1", state)
    loaded = await store.load("webchat:1")
    assert not loaded.fresh
    assert (loaded.customer_id, loaded.locale, loaded.flow, loaded.step) == (7, "zh", "checkout", "city")
    assert loaded.data == {"address": {"name": "Ann"}} and loaded.memory == {"product_id": 3}
    assert loaded.transcript == [("shopper", "hi")]


async def test_idle_chat_forgets_its_flow_after_the_timeout_but_keeps_who_it_is(
    store: StateStore, clock: FakeClock
) -> None:
    state = ConversationState(customer_id=7, locale="zh")
    state.start("checkout", "city")
    await store.save("webchat:1", state)
    clock.advance(minutes=29)
    assert (await store.load("webchat:1")).flow == "checkout"
    await store.save("webchat:1", await store.load("webchat:1"))  # activity resets the idle time
    clock.advance(minutes=31)
    expired = await store.load("webchat:1")
    assert expired.fresh and expired.flow is None and (expired.customer_id, expired.locale) == (7, "zh")


async def test_chats_do_not_share_state(store: StateStore) -> None:
    await store.save("webchat:1", ConversationState(customer_id=1))
    await store.save("telegram:1", ConversationState(customer_id=2))
    assert (await store.load("webchat:1")).customer_id == 1
    assert (await store.load("telegram:1")).customer_id == 2
    await store.drop("webchat:1")
    assert (await store.load("webchat:1")).customer_id is None


def test_transcript_keeps_only_the_last_lines() -> None:
    state = ConversationState()
    for i in range(100):
        state.remember("shopper", f"line {i}")
    state.remember("bot", "   ")
    assert len(state.transcript) == TRANSCRIPT_LINES and state.transcript[-1] == ("shopper", "line 99")


async def test_memory_store_evicts_the_least_recent_chat_when_full(clock: FakeClock) -> None:
    store = MemoryStateStore(clock, max_chats=2)
    for chat in ("a", "b", "c"):
        await store.save(chat, ConversationState(customer_id=ord(chat)))
    assert (await store.load("a")).customer_id is None and (await store.load("c")).customer_id == ord("c")
