"""The web chat socket on a real aiohttp server (loopback): protocol, limits, notifications, reload."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bots.conversation.engine import ConversationEngine
from channels.webchat import server as webchat
from channels.webchat.settings import WebchatSettings
from chatshop.bootstrap import Shop
from chatshop.subscribers.channels import subscribe_webchat
from chatshop.web import create_app
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
SETTINGS = WebchatSettings(_env_file=None, rate_limit_messages=30, allowed_origins="https://shop.example")  # type: ignore[call-arg]


@pytest.fixture
async def client(small: SmallShop, engine: ConversationEngine) -> AsyncIterator[TestClient[Any, Any]]:
    def mount(app: aiohttp.web.Application, shop: Shop) -> None:
        webchat.mount(app, shop, engine=engine, settings=SETTINGS)
        subscribe_webchat(app, shop)

    async with TestClient(TestServer(create_app(small.shop, [mount]))) as test_client:
        yield test_client


class Socket:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def hello(self, session: str | None = None) -> dict[str, Any]:
        await self.ws.send_json({"type": "hello", "session": session, "locale": "en-US"})
        return dict(await self.ws.receive_json(timeout=10))

    async def say(self, text: str) -> list[dict[str, Any]]:
        await self.ws.send_json({"type": "message", "text": text})
        return await self.replies()

    async def press(self, replies: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
        payload = find_button(replies, label)["payload"]
        await self.ws.send_json({"type": "button", "payload": payload, "label": label})
        return await self.replies()

    async def replies(self) -> list[dict[str, Any]]:
        data = await self.ws.receive_json(timeout=10)
        assert data["type"] == "replies", data
        return list(data["replies"])


def buttons_of(reply: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(reply.get("buttons") or [])
    for line in reply.get("lines") or []:
        if isinstance(line, dict):
            found += [b for b in (line["increase"], line["decrease"], line["remove"]) if b]
    for item in reply.get("items") or []:
        found.append(item["button"])
    return found


def find_button(replies: list[dict[str, Any]], label: str) -> dict[str, Any]:
    for reply in replies:
        for button in buttons_of(reply):
            if label.lower() in button["label"].lower():
                return button
    raise AssertionError(f"no {label!r} in {[r['text_fallback'] for r in replies]}")


async def test_first_visit_gets_a_session_and_a_greeting_and_a_reload_restores_it(client: TestClient[Any, Any]) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        sock = Socket(ws)
        welcome = await sock.hello()
        assert welcome["type"] == "welcome" and welcome["history"] == [] and len(welcome["session"]) >= 16
        greeting = await sock.replies()
        assert greeting[0]["kind"] == "buttons" and "Hello" in greeting[0]["text"]
        await sock.say("red shoes")
    async with client.ws_connect("/chat/ws") as ws:
        again = await Socket(ws).hello(welcome["session"])
        assert again["session"] == welcome["session"]
        assert [h["from"] for h in again["history"]] == ["bot", "user", "bot"]
        assert again["history"][2]["reply"]["kind"] == "product_card"


async def test_purchase_over_the_socket_is_confirmed_when_the_sandbox_payment_succeeds(
    client: TestClient[Any, Any], small: SmallShop
) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        sock = Socket(ws)
        await sock.hello()
        await sock.replies()
        card = await sock.say("show me red shoes")
        added = await sock.press(card, "Add to cart")
        replies = await sock.press(added, "Check out")
        for answer in ("Ann Shopper", "1 Main Street", "Springfield", "US", "12345"):
            replies = await sock.say(answer)
        replies = await sock.press(replies, "Standard")
        replies = await sock.press(replies, "Place order")
        link = replies[0]
        assert link["kind"] == "payment_link"
        page = await client.post(link["url"].replace("http://127.0.0.1:8080", ""), data={"outcome": "paid"})
        assert page.status == 200 and "Payment received" in await page.text()
        await small.shop.outbox.drain()
        notice = await ws.receive_json(timeout=10)
        assert notice["type"] == "notification"
        assert f"Payment received for order #{link['order_id']}" in notice["replies"][0]["text"]


async def test_notifications_for_an_offline_chat_wait_for_the_next_visit(
    client: TestClient[Any, Any], small: SmallShop
) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        sock = Socket(ws)
        session = (await sock.hello())["session"]
        await sock.replies()
        handoff = await sock.say("talk to a human")
        assert handoff[0]["kind"] == "handoff"
    from domain import commands as c
    from domain.model.staff import Actor

    await small.shop.bus.handle(
        c.PostTicketMessage(handoff[0]["ticket_id"], "Hi, Olga here.", actor=Actor.system("olga"))
    )
    await small.shop.outbox.drain()
    async with client.ws_connect("/chat/ws") as ws:
        sock = Socket(ws)
        await sock.hello(session)
        pending = await ws.receive_json(timeout=10)
        assert pending["type"] == "notification" and pending["replies"][0]["text"] == "olga (support): Hi, Olga here."


async def test_oversized_and_malformed_messages_are_refused_politely(client: TestClient[Any, Any]) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        sock = Socket(ws)
        await ws.send_json({"type": "message", "text": "hi"})
        assert (await ws.receive_json())["code"] == "no_session"
        await sock.hello()
        await sock.replies()
        await ws.send_json({"type": "message", "text": "x" * (SETTINGS.max_message_chars + 1)})
        assert (await ws.receive_json())["code"] == "too_large"
        await ws.send_str("not json")
        assert (await ws.receive_json())["code"] == "bad_request"
        await ws.send_json({"type": "button", "payload": "1.cart~forged00"})
        assert "can't use that button" in (await sock.replies())[0]["text"]


async def test_a_flood_of_messages_is_rate_limited(client: TestClient[Any, Any]) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        sock = Socket(ws)
        await sock.hello()
        await sock.replies()
        codes = []
        for _ in range(SETTINGS.rate_limit_messages + 3):
            await ws.send_json({"type": "message", "text": "hi"})
            codes.append((await ws.receive_json(timeout=10)).get("code"))
        allowed = SETTINGS.rate_limit_messages - 1  # the hello counted too
        assert codes[:allowed] == [None] * allowed
        assert codes[allowed:] == ["rate_limited"] * 4


async def test_only_allowed_origins_may_open_the_socket(client: TestClient[Any, Any]) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/chat/ws", origin="https://evil.example")
    assert refused.value.status == 403
    async with client.ws_connect("/chat/ws", origin="https://shop.example") as ws:
        assert (await Socket(ws).hello())["type"] == "welcome"


async def test_widget_page_and_embed_script_are_served(client: TestClient[Any, Any]) -> None:
    page = await client.get("/chat")
    assert page.status == 200 and 'name="viewport"' in await page.text()
    script = await client.get("/chat/widget.js")
    assert script.status == 200 and "iframe" in await script.text()
    app_js = await (await client.get("/chat/app.js")).text()
    assert ".innerHTML" not in app_js  # shop data and shopper text are only ever set as textContent


async def test_new_chats_from_one_address_are_limited_but_known_sessions_resume(
    small: SmallShop, engine: ConversationEngine
) -> None:
    settings = WebchatSettings(_env_file=None, new_chats_per_minute=3)  # type: ignore[call-arg]

    def mount(app: aiohttp.web.Application, shop: Shop) -> None:
        webchat.mount(app, shop, engine=engine, settings=settings)
        subscribe_webchat(app, shop)

    async with TestClient(TestServer(create_app(small.shop, [mount]))) as test_client:
        sessions = []
        for _ in range(3):
            async with test_client.ws_connect("/chat/ws") as ws:
                welcome = await Socket(ws).hello()
                assert welcome["type"] == "welcome"
                sessions.append(welcome["session"])
        async with test_client.ws_connect("/chat/ws") as ws:
            refused = await Socket(ws).hello()
            assert refused["type"] == "error" and refused["code"] == "rate_limited"
            again = await Socket(ws).hello(sessions[0])  # a returning shopper is not a new chat
            assert again["type"] == "welcome" and again["session"] == sessions[0]
    profiles = [await small.shop.views.customer(n) for n in range(1, 10)]
    assert sum(1 for p in profiles if p is not None and any(k == "webchat" for k, _ in p.identities)) == 3


async def test_hello_frames_count_against_the_connections_rate_limit(client: TestClient[Any, Any]) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        socket = Socket(ws)
        session = (await socket.hello())["session"]
        await socket.replies()  # the greeting
        codes = []
        for _ in range(40):
            answer = await socket.hello(session)
            codes.append(answer.get("code") if answer["type"] == "error" else answer["type"])
        assert "rate_limited" in codes
