"""The web chat with real ``chatshop run`` processes: a deploy (SIGTERM, then a new process) keeps open chats, on
SQLite without Redis too; two processes behind one address share a chat's tabs and its notices through Redis."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import WSMsgType
from redis.asyncio import Redis

from channels.webchat.redis_store import PREFIX
from domain import commands as c
from domain.model.staff import Actor
from tests.integration.campaigns.server_rig import Server, free_port
from tests.support.services import redis_url
from tests.support.shopdata import SmallShop

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def env(database_url: str, redis: str | None = None, outbox_poll: float = 0.2) -> dict[str, str]:
    values = os.environ | {
        "CHATSHOP_DATABASE_URL": database_url,
        "CHATSHOP_SECRET_KEY": "secret",
        "CHATSHOP_HTTP_HOST": "127.0.0.1",
        "CHATSHOP_HTTP_PORT": str(free_port()),
        "CHATSHOP_OUTBOX_POLL_SECONDS": str(outbox_poll),
    }
    for name in ("CHATSHOP_REDIS_URL", "CHATSHOP_TELEGRAM_TOKEN", "CHATSHOP_SLACK_BOT_TOKEN",
                 "CHATSHOP_STRIPE_SECRET_KEY", "CHATSHOP_STRIPE_WEBHOOK_SECRET"):  # fmt: skip
        values.pop(name, None)
    if redis:
        values["CHATSHOP_REDIS_URL"] = redis
    return values


class Tab:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.last: list[dict[str, Any]] = []

    async def frame(self) -> dict[str, Any]:
        return dict(await self.ws.receive_json(timeout=20))

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
        found = [b for r in self.last for b in r.get("buttons") or [] if label.lower() in b["label"].lower()]
        assert found, f"no {label!r} in {[r['text_fallback'] for r in self.last]}"
        await self.ws.send_json({"type": "button", "payload": found[0]["payload"], "label": label})
        return await self.replies()

    async def restarting(self) -> int | None:
        """The server's SIGTERM as the widget sees it: a restarting frame, then a 1012 close."""
        assert await self.frame() == {"type": "restarting"}
        closing = await self.ws.receive(timeout=20)
        assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING), closing
        return self.ws.close_code


def socket_url(server: Server) -> str:
    return server.url.replace("http://", "ws://") + "/chat/ws"


def clean_log(server: Server) -> str:
    text = server.log.read_text()
    assert "Traceback" not in text and "Unclosed" not in text, text
    return text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_deploy_of_a_single_sqlite_shop_without_redis_keeps_the_chat_and_its_payment_link(
    small: SmallShop, database_url: str, tmp_path: Path
) -> None:
    await small.shop.outbox.drain()
    settings = env(database_url)
    first = await Server(settings, tmp_path / "first.log").start()
    try:
        async with aiohttp.ClientSession() as http, http.ws_connect(socket_url(first)) as ws:
            tab = Tab(ws)
            session = (await tab.hello())["session"]
            await tab.replies()
            await tab.say("show me red shoes")
            await tab.press("Add to cart")
            await tab.press("Check out")
            for answer in ("Ann Shopper", "1 Main Street", "Springfield", "US", "12345"):
                await tab.say(answer)
            await tab.press("Standard")
            link = (await tab.press("Place order"))[0]
            assert link["kind"] == "payment_link", link
            assert first.proc is not None
            first.proc.terminate()  # a deploy
            assert await tab.restarting() == 1012
        assert first.proc is not None and await first.proc.wait() == 0
    finally:
        first.kill()
    clean_log(first)
    second = await Server(settings, tmp_path / "second.log").start()
    try:
        async with aiohttp.ClientSession() as http, http.ws_connect(socket_url(second)) as ws:
            history = (await Tab(ws).hello(session))["history"]
            assert link in [h.get("reply") for h in history]
            assert [h["text"] for h in history if h["from"] == "user"][:2] == ["show me red shoes", "Add to cart"]
        assert await second.terminate() == 0
    finally:
        second.kill()
    clean_log(second)


@pytest.fixture
async def redis() -> AsyncIterator[str]:
    url = redis_url()
    client = Redis.from_url(url)
    keys = [key async for key in client.scan_iter(PREFIX + "*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    yield url


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_two_processes_behind_one_address_share_tabs_notices_and_a_restart(
    small: SmallShop, database_url: str, redis: str, tmp_path: Path
) -> None:
    await small.shop.outbox.drain()  # nothing left for the servers but what this test makes
    # Process A delivers the outbox; process B never does (it polls once an hour), so every notice below is
    # produced by A's worker, whichever process holds the socket.
    a = Server(env(database_url, redis, outbox_poll=0.2), tmp_path / "a.log")
    b = Server(env(database_url, redis, outbox_poll=3600), tmp_path / "b.log")
    try:
        await a.start()
        await b.start()
        async with aiohttp.ClientSession() as http:
            async with http.ws_connect(socket_url(b)) as on_b:
                held_by_b = Tab(on_b)
                session = (await held_by_b.hello())["session"]
                await held_by_b.replies()
                # A second tab of the same chat, on the other process, is the same conversation.
                async with http.ws_connect(socket_url(a)) as on_a:
                    tab_on_a = Tab(on_a)
                    await tab_on_a.hello(session)
                    answer = await tab_on_a.say("red shoes")
                    assert await held_by_b.frame() == {"type": "user", "text": "red shoes"}
                    assert await held_by_b.frame() == {"type": "typing"}
                    mirrored = await held_by_b.frame()
                    assert mirrored["type"] == "replies" and mirrored["replies"] == answer
                    assert len(mirrored["mids"]) == len(answer)  # the answer's ids, to redraw it in place
                ticket = (await held_by_b.say("talk to a human"))[0]["ticket_id"]
                # Only B holds a socket now; A's outbox worker produces the notice.
                await small.shop.bus.handle(c.PostTicketMessage(ticket, "Hi, Olga here.", actor=Actor.system("olga")))
                notice = await held_by_b.frame()
                assert notice["type"] == "notification"
                assert notice["replies"][0]["text"] == "olga (support): Hi, Olga here."
                assert b.proc is not None
                b.proc.terminate()  # B is deployed
                assert await held_by_b.restarting() == 1012
            assert await b.proc.wait() == 0
            # The widget reconnects through the same address and lands on A: all of it is there, the
            # notice once, as history (B showed it).
            async with http.ws_connect(socket_url(a)) as ws:
                tab = Tab(ws)
                history = (await tab.hello(session))["history"]
                said = [h["text"] for h in history if h["from"] == "user"]
                assert said == ["red shoes", "talk to a human"]
                assert [h["reply"]["text"] for h in history if h.get("notice")] == ["olga (support): Hi, Olga here."]
                await tab.say("thanks")  # the next frame is the answer: no notice told twice
        assert await a.terminate() == 0
    finally:
        a.kill()
        b.kill()
    clean_log(a)
    clean_log(b)
