"""A deploy does not wipe open web chats: the history and the notices nobody has seen yet live in the database
(or Redis), a restarting server tells its sockets so, and a chat resumes on the next server, or on another
process behind the same address, with its conversation and its open payment link.

Servers here are real aiohttp servers on loopback in this process; tests/integration/bots/
test_webchat_processes.py does the same with real ``chatshop run`` processes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis
from sqlalchemy import func, select

from bots.conversation.engine import ConversationEngine
from channels.webchat import server as webchat
from channels.webchat.hub import ChatHistory, Fanout, Hub, MemoryHistory, Peer, chat_id_for
from channels.webchat.redis_store import PREFIX, RedisFanout, RedisHistory
from channels.webchat.settings import WebchatSettings
from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from chatshop.subscribers.channels import subscribe_webchat
from chatshop.web import create_app
from domain import commands as c
from domain.adapters.orm_webchat import webchat_messages
from domain.adapters.webchat_history import SqlChatHistory
from domain.model.staff import Actor
from nlu.interface import NluEngine
from tests.integration.bots.conftest import make_engine
from tests.support.clock import FakeClock
from tests.support.services import redis_url
from tests.support.shopdata import SmallShop

CHAT = WebchatSettings(_env_file=None, rate_limit_messages=60)  # type: ignore[call-arg]


async def start(
    shop: Shop, engine: ConversationEngine, history: ChatHistory, fanout: Fanout | None = None
) -> TestClient[Any, Any]:
    def mount(app: aiohttp.web.Application, mounted: Shop) -> None:
        webchat.mount(app, mounted, engine=engine, settings=CHAT, history=history, fanout=fanout)
        subscribe_webchat(app, mounted)

    client: TestClient[Any, Any] = TestClient(TestServer(create_app(shop, [mount])))
    await client.start_server()
    return client


async def second_shop(database_url: str, clock: FakeClock) -> Shop:
    """Another process's view of the same database: its own bus, outbox worker and subscriptions."""
    return build_shop(Settings(database_url=database_url, _env_file=None), clock=clock)  # type: ignore[call-arg]


class Tab:
    """One browser tab's socket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.last: list[dict[str, Any]] = []

    async def frame(self, within: float = 10) -> dict[str, Any]:
        return dict(await self.ws.receive_json(timeout=within))

    async def hello(self, session: str | None = None) -> dict[str, Any]:
        await self.ws.send_json({"type": "hello", "session": session, "locale": "en-US"})
        welcome = await self.frame()
        assert welcome["type"] == "welcome", welcome
        return welcome

    async def replies(self) -> list[dict[str, Any]]:
        data = await self.frame()
        assert data["type"] == "replies", data
        self.last = list(data["replies"])
        return self.last

    async def say(self, text: str) -> list[dict[str, Any]]:
        await self.ws.send_json({"type": "message", "text": text})
        return await self.replies()

    async def press(self, label: str) -> list[dict[str, Any]]:
        await self.ws.send_json({"type": "button", "payload": button(self.last, label)["payload"], "label": label})
        return await self.replies()


def button(replies: list[dict[str, Any]], label: str) -> dict[str, Any]:
    for reply in replies:
        for b in reply.get("buttons") or []:
            if label.lower() in b["label"].lower():
                return dict(b)
    raise AssertionError(f"no {label!r} in {[r['text_fallback'] for r in replies]}")


async def to_payment_link(tab: Tab) -> dict[str, Any]:
    await tab.say("show me red shoes")
    await tab.press("Add to cart")
    await tab.press("Check out")
    for answer in ("Ann Shopper", "1 Main Street", "Springfield", "US", "12345"):
        await tab.say(answer)
    await tab.press("Standard")
    link = (await tab.press("Place order"))[0]
    assert link["kind"] == "payment_link"
    return link


async def stop_server(client: TestClient[Any, Any], tab: Tab) -> tuple[dict[str, Any], int | None]:
    """Stop the server as SIGTERM does (aiohttp's shutdown), and see what the open socket gets: the
    restarting frame, then a close with its code."""
    stopping = asyncio.create_task(client.server.close())
    told = await tab.frame()
    closing = await tab.ws.receive(timeout=10)
    assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING), closing
    await asyncio.wait_for(stopping, 10)
    return told, tab.ws.close_code


def kinds(history: list[dict[str, Any]]) -> list[str]:
    return [h["text"] if h["from"] == "user" else h["reply"]["kind"] for h in history]


async def post_agent_message(shop: Shop, ticket_id: int, text: str) -> None:
    await shop.bus.handle(c.PostTicketMessage(ticket_id, text, actor=Actor.system("olga")))


# --- without Redis: the database -------------------------------------------------------------------------


async def test_a_restart_keeps_the_conversation_the_payment_link_and_a_notice_sent_while_it_was_down(
    small: SmallShop, engine: ConversationEngine, nlu_engine: NluEngine, database_url: str, clock: FakeClock
) -> None:
    shop = small.shop
    before = await start(shop, engine, SqlChatHistory(shop.sessions, shop.clock))
    try:
        async with before.ws_connect("/chat/ws") as ws:
            tab = Tab(ws)
            session = (await tab.hello())["session"]
            await tab.replies()  # greeting
            link = await to_payment_link(tab)
            ticket = (await tab.say("talk to a human"))[0]["ticket_id"]
            told, code = await stop_server(before, tab)
    finally:
        await before.close()
    assert told == {"type": "restarting"} and code == 1012  # 1012: service restart, come back soon

    # The next server is another process: nothing of the first one's memory.
    after_shop = await second_shop(database_url, clock)
    after = await start(after_shop, make_engine(after_shop, nlu_engine), SqlChatHistory(after_shop.sessions, clock))
    try:
        # A support agent answers while no web chat is open: the notice waits in the database.
        await post_agent_message(after_shop, ticket, "Hi, Olga here.")
        await after_shop.outbox.drain()
        async with after.ws_connect("/chat/ws") as ws:
            tab = Tab(ws)
            welcome = await tab.hello(session)
            history = welcome["history"]
            assert kinds(history)[:3] == ["buttons", "show me red shoes", "product_card"]
            assert [h["reply"] for h in history if h["from"] == "bot" and h["reply"]["kind"] == "payment_link"] == [
                link
            ]
            assert kinds(history)[-2:] == ["talk to a human", "handoff"]
            news = await tab.frame()
            assert news["type"] == "notification" and news["replies"][0]["text"] == "olga (support): Hi, Olga here."
        async with after.ws_connect("/chat/ws") as ws:  # the notice was told: history now, not news twice
            tab = Tab(ws)
            again = (await tab.hello(session))["history"]
            assert again[-1]["reply"]["text"] == "olga (support): Hi, Olga here." and again[-1]["notice"] is True
            await ws.send_json({"type": "message", "text": "thanks"})
            assert (await tab.frame())["type"] == "replies"  # no notification came before the answer
    finally:
        await after.close()
        await after_shop.close()


async def test_a_notice_shown_on_an_open_socket_is_not_news_at_the_next_visit(
    small: SmallShop, engine: ConversationEngine
) -> None:
    shop = small.shop
    client = await start(shop, engine, SqlChatHistory(shop.sessions, shop.clock))
    try:
        async with client.ws_connect("/chat/ws") as ws:
            tab = Tab(ws)
            session = (await tab.hello())["session"]
            await tab.replies()
            ticket = (await tab.say("talk to a human"))[0]["ticket_id"]
            await post_agent_message(shop, ticket, "Hello from Olga.")
            await shop.outbox.drain()
            live = await tab.frame()
            assert live["type"] == "notification" and isinstance(live["id"], str)
        async with client.ws_connect("/chat/ws") as ws:
            tab = Tab(ws)
            history = (await tab.hello(session))["history"]
            assert history[-1] == {
                "from": "bot", "reply": live["replies"][0], "notice": True, "id": live["id"]
            }  # fmt: skip
            await ws.send_json({"type": "message", "text": "thanks"})
            assert (await tab.frame())["type"] == "replies"
    finally:
        await client.close()


async def test_the_database_history_keeps_the_last_messages_of_each_chat_and_forgets_old_ones(
    shop: Shop, clock: FakeClock
) -> None:
    history = SqlChatHistory(shop.sessions, clock, history_size=10, retention=timedelta(days=2))
    for n in range(35):
        await history.append("w-busy", [{"from": "user", "text": f"line {n}"}])
    await history.append("w-quiet", [{"from": "user", "text": "hi"}])

    async def rows(chat: str) -> int:
        async with shop.sessions() as session:
            query = select(func.count()).select_from(webchat_messages).where(webchat_messages.c.chat_id == chat)
            return int((await session.execute(query)).scalar_one())

    assert await rows("w-busy") <= 20  # trimmed as it goes, not only when read
    entries, pending = await history.resume("w-busy")
    assert [e["text"] for e in entries] == [f"line {n}" for n in range(25, 35)] and pending == set()
    assert await rows("w-busy") == 10
    clock.advance(days=3)
    await history.append("w-quiet", [{"from": "user", "text": "still here"}])
    assert await history.prune() == 11
    assert [e["text"] for e in (await history.resume("w-quiet"))[0]] == ["still here"]


# --- with Redis: history, pending notices and frames shared by every process ------------------------------


class Browser:
    """A socket that keeps what it was sent (the hub's side of a tab)."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    async def send_json(self, data: Any) -> None:
        self.frames.append(data)

    async def close(self, *, code: int = 1000, message: bytes = b"") -> bool:
        return True


async def test_a_frame_from_another_process_that_arrives_after_the_tab_joined_is_not_shown_twice() -> None:
    """Pub/sub is a moment behind: the answer of a turn can reach a tab after the tab's welcome, whose
    history already holds that turn."""
    hub = Hub(MemoryHistory())
    answer = {"kind": "text", "text": "Hello!", "text_fallback": "Hello!"}
    await hub.remember(
        "w1", [{"from": "user", "text": "hi", "turn": "t1"}, {"from": "bot", "reply": answer, "turn": "t1"}]
    )
    tab = Browser()
    peer = Peer(tab)
    hub.attach("w1", peer)
    resumed = await hub.resume("w1")
    peer.seen = resumed.turns
    assert resumed.shown_history() == [{"from": "user", "text": "hi"}, {"from": "bot", "reply": answer}]
    await hub.delivered_from_elsewhere("w1", [{"type": "replies", "replies": [answer]}], "t1")  # late
    await hub.delivered_from_elsewhere("w1", [{"type": "user", "text": "and then"}, {"type": "typing"}], "t2")
    assert tab.frames == [{"type": "user", "text": "and then"}, {"type": "typing"}]


@pytest.fixture
async def redis() -> AsyncIterator[str]:
    url = redis_url()
    client = Redis.from_url(url)
    keys = [key async for key in client.scan_iter(PREFIX + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    yield url


def redis_parts(url: str) -> tuple[RedisHistory, RedisFanout]:
    client = Redis.from_url(url)
    return RedisHistory(client, CHAT.history_size), RedisFanout(client)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_with_redis_two_servers_share_tabs_history_and_notices(
    small: SmallShop, engine: ConversationEngine, nlu_engine: NluEngine, database_url: str, clock: FakeClock, redis: str
) -> None:
    other_shop = await second_shop(database_url, clock)
    one = await start(small.shop, engine, *redis_parts(redis))
    two = await start(other_shop, make_engine(other_shop, nlu_engine), *redis_parts(redis))
    try:
        async with one.ws_connect("/chat/ws") as ws1, two.ws_connect("/chat/ws") as ws2:
            first, second = Tab(ws1), Tab(ws2)
            session = (await first.hello())["session"]
            await first.replies()  # greeting
            assert kinds((await second.hello(session))["history"]) == ["buttons"]
            # A tab on server one speaks; the tab on server two sees it all.
            await ws1.send_json({"type": "message", "text": "red shoes", "id": "a1"})
            answer = await first.frame()
            assert answer["ref"] == "a1" and answer["replies"][0]["kind"] == "product_card"
            assert await second.frame() == {"type": "user", "text": "red shoes"}
            assert await second.frame() == {"type": "typing"}
            mirrored = await second.frame()
            assert mirrored == {"type": "replies", "replies": answer["replies"], "mids": answer["mids"]}
            ticket = (await first.say("talk to a human"))[0]["ticket_id"]
            for _ in range(3):  # user, typing, replies
                await second.frame()
            # Server two's outbox worker tells the chat: both tabs, on both servers, show it.
            await post_agent_message(other_shop, ticket, "Olga here.")
            assert await other_shop.outbox.drain() >= 1
            on_two, on_one = await second.frame(), await first.frame()
            assert on_one == on_two and on_one["type"] == "notification"
            assert on_one["replies"][0]["text"] == "olga (support): Olga here."
        # Shown live, so it is history at the next visit, on either server.
        async with one.ws_connect("/chat/ws") as ws:
            tab = Tab(ws)
            history = (await tab.hello(session))["history"]
            assert kinds(history)[1:4] == ["red shoes", "product_card", "talk to a human"]
            assert history[-1]["id"] == on_one["id"]
            await ws.send_json({"type": "message", "text": "thanks"})
            assert (await tab.frame())["type"] == "replies"
        # A notice for a chat with no open tab anywhere waits in Redis for the next visit.
        await post_agent_message(small.shop, ticket, "Still there?")
        await small.shop.outbox.drain()
        async with two.ws_connect("/chat/ws") as ws:
            tab = Tab(ws)
            await tab.hello(session)
            news = await tab.frame()
            assert news["type"] == "notification" and news["replies"][0]["text"] == "olga (support): Still there?"
    finally:
        await one.close()
        await two.close()
        await other_shop.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_with_redis_a_restarted_server_resumes_the_chat_from_redis(
    small: SmallShop, engine: ConversationEngine, redis: str
) -> None:
    before = await start(small.shop, engine, *redis_parts(redis))
    async with before.ws_connect("/chat/ws") as ws:
        tab = Tab(ws)
        session = (await tab.hello())["session"]
        await tab.replies()
        link = await to_payment_link(tab)
        told, code = await stop_server(before, tab)
    await before.close()
    assert told == {"type": "restarting"} and code == 1012
    # The history is capped and expires on its own.
    client = Redis.from_url(redis)
    key = PREFIX + "h:" + chat_id_for(session)
    assert 0 < await client.ttl(key) <= int(timedelta(days=CHAT.history_days).total_seconds())
    assert await client.llen(key) <= CHAT.history_size
    await client.aclose()
    after = await start(small.shop, engine, RedisHistory(Redis.from_url(redis), CHAT.history_size))
    try:
        async with after.ws_connect("/chat/ws") as ws:
            history = (await Tab(ws).hello(session))["history"]
            assert link in [h.get("reply") for h in history]
    finally:
        await after.close()


async def test_a_socket_opening_while_the_server_restarts_is_sent_elsewhere(
    small: SmallShop, engine: ConversationEngine
) -> None:
    client = await start(small.shop, engine, SqlChatHistory(small.shop.sessions, small.shop.clock))
    try:
        await webchat.going_away(client.app)
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await client.ws_connect("/chat/ws")
        assert refused.value.status == 503
    finally:
        await client.close()
    await asyncio.sleep(0)
