"""The web chat socket as people meet it: two tabs of one chat, refused messages named by their id,
the limit told to the client, and the chat's own origin behind an HTTPS reverse proxy."""

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


def settings(**kw: Any) -> WebchatSettings:
    return WebchatSettings(_env_file=None, **kw)  # type: ignore[call-arg]


async def serve(small: SmallShop, engine: ConversationEngine, chat: WebchatSettings) -> TestClient[Any, Any]:
    def mount(app: aiohttp.web.Application, shop: Shop) -> None:
        webchat.mount(app, shop, engine=engine, settings=chat)
        subscribe_webchat(app, shop)

    client: TestClient[Any, Any] = TestClient(TestServer(create_app(small.shop, [mount])))
    await client.start_server()
    return client


@pytest.fixture
async def client(small: SmallShop, engine: ConversationEngine) -> AsyncIterator[TestClient[Any, Any]]:
    client = await serve(small, engine, settings(rate_limit_messages=4, max_message_chars=50))
    yield client
    await client.close()


async def frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    return dict(await ws.receive_json(timeout=10))


async def test_two_tabs_of_one_chat_show_the_same_conversation(client: TestClient[Any, Any]) -> None:
    async with client.ws_connect("/chat/ws") as first, client.ws_connect("/chat/ws") as second:
        await first.send_json({"type": "hello", "session": None})
        welcome = await frame(first)
        await frame(first)  # greeting
        await second.send_json({"type": "hello", "session": welcome["session"]})
        assert (await frame(second))["type"] == "welcome"
        await first.send_json({"type": "message", "text": "red shoes", "id": "a1"})
        answer = await frame(first)
        assert answer["type"] == "replies" and answer["ref"] == "a1"
        assert answer["replies"][0]["kind"] == "product_card"
        # The other tab sees what was typed, that an answer is coming, and the answer itself.
        assert await frame(second) == {"type": "user", "text": "red shoes"}
        assert await frame(second) == {"type": "typing"}
        mirrored = await frame(second)
        assert mirrored["type"] == "replies" and mirrored["replies"] == answer["replies"] and "ref" not in mirrored


async def test_refused_messages_name_the_frame_that_was_not_sent(client: TestClient[Any, Any]) -> None:
    async with client.ws_connect("/chat/ws") as ws:
        await ws.send_json({"type": "hello", "session": None})
        welcome = await frame(ws)
        assert welcome["limits"] == {"max_message_chars": 50}  # the client refuses a longer paste itself
        await frame(ws)
        await ws.send_json({"type": "message", "text": "x" * 51, "id": "long"})
        refused = await frame(ws)
        assert refused["code"] == "too_large" and refused["ref"] == "long" and "51" in refused["message"]
        codes = []  # the hello and the refused long one counted too: 4 frames in the window
        for n in range(3):
            await ws.send_json({"type": "message", "text": "hi", "id": f"m{n}"})
            got = await frame(ws)
            codes.append((got["type"], got.get("code"), got.get("ref")))
        assert codes[:2] == [("replies", None, "m0"), ("replies", None, "m1")]
        assert codes[2] == ("error", "rate_limited", "m2")
    async with client.ws_connect("/chat/ws") as again:  # a reload: a new connection with its own allowance
        await again.send_json({"type": "hello", "session": welcome["session"]})
        history = (await frame(again))["history"]
        assert [h["text"] for h in history if h["from"] == "user"] == ["hi", "hi"]  # refused ones never said


@pytest.mark.parametrize(
    ("trusted", "headers", "allowed"),
    [
        ("127.0.0.1", {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example"}, True),
        ("127.0.0.0/8", {"Forwarded": "for=203.0.113.9;proto=https;host=shop.example"}, True),
        ("", {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example"}, False),  # proxy not trusted
        ("10.0.0.0/8", {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "shop.example"}, False),  # nor this peer
        ("127.0.0.1", {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"}, False),
    ],
)
async def test_behind_a_trusted_https_proxy_the_chats_own_origin_may_connect(
    small: SmallShop, engine: ConversationEngine, trusted: str, headers: dict[str, str], allowed: bool
) -> None:
    client = await serve(small, engine, settings(trusted_proxies=trusted))
    try:
        if allowed:
            async with client.ws_connect("/chat/ws", origin="https://shop.example", headers=headers) as ws:
                await ws.send_json({"type": "hello", "session": None})
                assert (await frame(ws))["type"] == "welcome"
        else:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await client.ws_connect("/chat/ws", origin="https://shop.example", headers=headers)
            assert refused.value.status == 403
    finally:
        await client.close()


async def test_the_page_has_a_favicon(client: TestClient[Any, Any]) -> None:
    icon = await client.get("/chat/favicon.svg")
    assert icon.status == 200 and icon.content_type == "image/svg+xml" and "<svg" in await icon.text()
    assert 'rel="icon" href="/chat/favicon.svg"' in await (await client.get("/chat")).text()
