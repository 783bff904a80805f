"""An option picked on a product card redraws that card, as Telegram edits its message: one card in every tab
and in the history a reload or a restart brings back, never a new card per pick. And the web chat's own
words (its refusals, the widget's labels) speak the chat's language."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from redis.asyncio import Redis

from bots.conversation.engine import ConversationEngine
from channels.webchat import server as webchat
from channels.webchat.hub import ChatHistory, MemoryHistory
from channels.webchat.redis_store import PREFIX, RedisHistory
from channels.webchat.settings import WebchatSettings
from chatshop.bootstrap import Shop
from chatshop.subscribers.channels import subscribe_webchat
from chatshop.web import create_app
from domain import commands as c
from domain.adapters.webchat_history import SqlChatHistory
from tests.support.clock import FakeClock
from tests.support.services import redis_url
from tests.support.shopdata import SmallShop

CHAT = WebchatSettings(_env_file=None, rate_limit_messages=60, max_message_chars=50)  # type: ignore[call-arg]


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url())
    keys = [key async for key in client.scan_iter(PREFIX + "*")]
    if keys:
        await client.delete(*keys)
    yield client
    await client.aclose()


async def start(shop: Shop, engine: ConversationEngine, history: ChatHistory) -> TestClient[Any, Any]:
    def mount(app: aiohttp.web.Application, mounted: Shop) -> None:
        webchat.mount(app, mounted, engine=engine, settings=CHAT, history=history)
        subscribe_webchat(app, mounted)

    client: TestClient[Any, Any] = TestClient(TestServer(create_app(shop, [mount])))
    await client.start_server()
    return client


async def frame(ws: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    return dict(await ws.receive_json(timeout=10))


async def hello(ws: aiohttp.ClientWebSocketResponse, session: str | None = None, locale: str = "en-US") -> Any:
    await ws.send_json({"type": "hello", "session": session, "locale": locale})
    return await frame(ws)


def option(card: dict[str, Any], label: str) -> dict[str, Any]:
    values = [v for picker in card["pickers"] for v in picker["values"] if v["label"] == label]
    assert values, f"no option {label!r} on {card['text_fallback']}"
    return values[0]


def entry(mid: str, reply: dict[str, Any], turn: str) -> dict[str, Any]:
    return {"from": "bot", "reply": reply, "turn": turn, "mid": mid}


# --- every history store --------------------------------------------------------------------------------


@pytest.mark.parametrize("store", ["memory", "database", "redis"])
async def test_every_history_store_redraws_an_answer_where_it_was_and_only_an_answer_of_that_kind(
    shop: Shop, clock: FakeClock, redis: Redis, store: str
) -> None:
    history: ChatHistory = {
        "memory": lambda: MemoryHistory(),
        "database": lambda: SqlChatHistory(shop.sessions, clock),
        "redis": lambda: RedisHistory(redis),
    }[store]()
    card = {"kind": "product_card", "name": "Stride", "variant_prompt": "Choose the colour:"}
    greeting = {"kind": "text", "text": "Hello"}
    await history.append("w1", [entry("t0.0", greeting, "t0")])
    await history.append("w1", [{"from": "user", "text": "red shoes", "turn": "t1"}, entry("t1.0", card, "t1")])
    await history.append("w1", [{"from": "user", "text": "thanks", "turn": "t2"}, entry("t2.0", greeting, "t2")])
    await history.add_notice("w1", "n1", [{"from": "bot", "reply": card, "notice": True, "id": "n1", "mid": "t9.0"}])
    blue = card | {"variant_prompt": "Your choice: blue"}

    assert await history.replace("w1", entry("t1.0", blue, "t3"))
    assert not await history.replace("w1", entry("t0.0", blue, "t4")), "a card never replaces a text"
    assert not await history.replace("w1", entry("t9.0", blue, "t4")), "nor a notice"
    assert not await history.replace("w1", entry("t5.0", blue, "t4")), "nor an answer the history doesn't hold"
    assert not await history.replace("w2", entry("t1.0", blue, "t4")), "nor another chat's card"

    entries, _pending = await history.resume("w1")
    shown = [
        e["text"] if e["from"] == "user" else e["reply"].get("variant_prompt", e["reply"].get("text")) for e in entries
    ]
    assert shown == ["Hello", "red shoes", "Your choice: blue", "thanks", "Hello", "Choose the colour:"]
    assert entries[2] == entry("t1.0", blue, "t3")
    if isinstance(history, RedisHistory):
        assert await redis.ttl(PREFIX + "h:w1") > 0  # still expires


# --- over the socket ------------------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_picking_a_colour_redraws_the_card_in_every_tab_and_the_history_holds_only_the_new_card(
    small: SmallShop, engine: ConversationEngine
) -> None:
    shop = small.shop
    client = await start(shop, engine, SqlChatHistory(shop.sessions, shop.clock))
    try:
        async with client.ws_connect("/chat/ws") as first, client.ws_connect("/chat/ws") as second:
            session = (await hello(first))["session"]
            await frame(first)  # greeting
            await hello(second, session)
            await first.send_json({"type": "message", "text": "show me red shoes", "id": "a1"})
            shown = await frame(first)
            card, mid = shown["replies"][0], shown["mids"][0]
            assert card["kind"] == "product_card" and option(card, "blue")["selected"] is False
            assert [(await frame(second))["type"] for _ in range(3)] == ["user", "typing", "replies"]

            blue = option(card, "blue")
            await first.send_json(
                {"type": "button", "payload": blue["payload"], "label": "blue", "in": mid, "id": "a2"}
            )
            redrawn = await frame(first)
            assert redrawn["replace"] == mid and redrawn["mids"] == [mid] and redrawn["ref"] == "a2"
            assert [r["kind"] for r in redrawn["replies"]] == ["product_card"]
            assert option(redrawn["replies"][0], "blue")["selected"] is True
            # The other tab redraws the same card; nothing was said (a pick is not a message), nobody typed.
            assert await frame(second) == {k: v for k, v in redrawn.items() if k != "ref"}

        async with client.ws_connect("/chat/ws") as again:  # a reload: one card, as it is now
            history = (await hello(again, session))["history"]
            assert [h["text"] if h["from"] == "user" else h["reply"]["kind"] for h in history] == [
                "buttons", "show me red shoes", "product_card"
            ]  # fmt: skip
            assert history[2] == {"from": "bot", "reply": redrawn["replies"][0], "mid": mid}
    finally:
        await client.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_cart_lines_plus_and_remove_redraw_the_cart_they_were_pressed_in(
    small: SmallShop, engine: ConversationEngine
) -> None:
    client = await start(small.shop, engine, MemoryHistory())
    try:
        async with client.ws_connect("/chat/ws") as ws:
            session = (await hello(ws))["session"]
            await frame(ws)
            await ws.send_json({"type": "message", "text": "show me red shoes"})
            card = (await frame(ws))["replies"][0]
            add = next(b for b in card["buttons"] if b["label"] == "Add to cart")
            await ws.send_json({"type": "button", "payload": add["payload"], "label": "Add to cart"})
            added = (await frame(ws))["replies"][0]
            view = next(b for b in added["buttons"] if b["label"] == "View cart")
            await ws.send_json({"type": "button", "payload": view["payload"], "label": "View cart"})
            shown = await frame(ws)
            cart, mid = shown["replies"][0], shown["mids"][0]
            plus = cart["lines"][0]["increase"]
            await ws.send_json({"type": "button", "payload": plus["payload"], "label": "+", "in": mid})
            redrawn = await frame(ws)
            assert redrawn["replace"] == mid and redrawn["replies"][0]["lines"][0]["quantity"] == 2
            remove = redrawn["replies"][0]["lines"][0]["remove"]
            await ws.send_json({"type": "button", "payload": remove["payload"], "label": "Remove", "in": mid})
            emptied = await frame(ws)  # the same cart, now empty
            assert emptied["replace"] == mid and emptied["replies"][0]["lines"] == []
        async with client.ws_connect("/chat/ws") as again:
            history = (await hello(again, session))["history"]
            carts = [h["reply"] for h in history if h["from"] == "bot" and h["reply"]["kind"] == "cart"]
            assert [c["title"] for c in carts] == ["Your cart is empty."]  # one cart, as it was last drawn
            assert "+" not in [h.get("text") for h in history]
    finally:
        await client.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_more_shows_the_lists_next_page_in_place_of_this_one(
    small: SmallShop, engine: ConversationEngine
) -> None:
    for n in range(7):
        sku = f"SOCK-{n}"
        await small.shop.bus.handle(
            c.UpsertProduct(f"Trail Sock {n}", (c.VariantSpec(sku, 900),), ("Socks",), actor=c.SYSTEM)
        )
        await small.shop.bus.handle(c.ReceiveStock(sku, "WEST", 5, actor=c.SYSTEM))
    client = await start(small.shop, engine, MemoryHistory())
    try:
        async with client.ws_connect("/chat/ws") as ws:
            session = (await hello(ws))["session"]
            await frame(ws)
            await ws.send_json({"type": "message", "text": "trail socks"})
            shown = await frame(ws)
            listed = next(r for r in shown["replies"] if r["kind"] == "product_list")
            mid = shown["mids"][shown["replies"].index(listed)]
            await ws.send_json({"type": "button", "payload": listed["next"]["payload"], "label": "More", "in": mid})
            page_two = await frame(ws)
            assert page_two["replace"] == mid and page_two["replies"][0]["kind"] == "product_list"
            assert {i["name"] for i in page_two["replies"][0]["items"]}.isdisjoint(i["name"] for i in listed["items"])
        async with client.ws_connect("/chat/ws") as again:
            history = (await hello(again, session))["history"]
            lists = [h["reply"] for h in history if h["from"] == "bot" and h["reply"]["kind"] == "product_list"]
            assert lists == page_two["replies"]
    finally:
        await client.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_pick_is_a_new_message_when_its_card_is_gone_or_the_button_is_outdated_or_names_a_text(
    small: SmallShop, engine: ConversationEngine
) -> None:
    client = await start(small.shop, engine, MemoryHistory())
    try:
        async with client.ws_connect("/chat/ws") as ws:
            await hello(ws)
            greeting = await frame(ws)
            await ws.send_json({"type": "message", "text": "show me red shoes"})
            card = (await frame(ws))["replies"][0]
            blue = option(card, "blue")["payload"]
            for target in ("0123abcd.0", greeting["mids"][0], "<script>", 7):  # gone, a text, junk
                await ws.send_json({"type": "button", "payload": blue, "label": "blue", "in": target})
                answer = await frame(ws)
                assert "replace" not in answer and answer["replies"][0]["kind"] == "product_card", target
            tampered = blue[:-2] + ("AA" if not blue.endswith("AA") else "BB")
            await ws.send_json({"type": "button", "payload": tampered, "label": "blue", "in": answer["mids"][0]})
            outdated = await frame(ws)
            assert "replace" not in outdated and outdated["replies"][0]["kind"] != "product_card"
    finally:
        await client.close()


# --- the web chat's own words ---------------------------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_servers_refusals_speak_the_chats_language(small: SmallShop, engine: ConversationEngine) -> None:
    client = await start(small.shop, engine, MemoryHistory())
    try:
        async with client.ws_connect("/chat/ws") as ws:  # a Chinese browser
            await hello(ws, locale="zh-CN")
            await frame(ws)
            await ws.send_json({"type": "message", "text": "好" * 51, "id": "z1"})
            refused = await frame(ws)
            assert refused == {
                "type": "error",
                "code": "too_large",
                "ref": "z1",
                "message": "消息最多 50 个字符，这条有 51 个。",
            }
            await ws.send_json({"type": "sing"})
            assert (await frame(ws))["message"] == "未知的消息类型。"
            await ws.send_str("not json")
            assert (await frame(ws))["message"] == "请发送 JSON 文本帧。"
        async with client.ws_connect("/chat/ws") as ws:  # an English browser, until the shopper writes Chinese
            session = (await hello(ws, locale="en-US"))["session"]
            await frame(ws)
            await ws.send_json({"type": "message", "text": "x" * 51})
            assert (await frame(ws))["message"] == "Messages are limited to 50 characters; this one has 51."
            await ws.send_json({"type": "message", "text": "我想买红色的鞋"})
            await frame(ws)
            await ws.send_json({"type": "button", "payload": 5})  # a button keeps the chat's language
            assert (await frame(ws))["message"] == "按钮缺少它的数据（payload）。"
        async with client.ws_connect("/chat/ws") as ws:  # back after a reload: still the chat's language
            await hello(ws, session, locale="en-US")
            await ws.send_json({"type": "message", "text": " "})
            assert (await frame(ws))["message"] == "消息不能为空。"
    finally:
        await client.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_widget_gets_its_words_in_both_languages_from_the_catalogs(
    small: SmallShop, engine: ConversationEngine
) -> None:
    client = await start(small.shop, engine, MemoryHistory())
    try:
        script = await (await client.get("/chat/words.js")).text()
        assert script.startswith("window.CHATSHOP_WORDS = ")
        words = __import__("json").loads(script.removeprefix("window.CHATSHOP_WORDS = ").rstrip(";\n"))
        assert words["en"]["send"] == "Send" and words["zh"]["send"] == "发送"
        assert words["zh"]["lang"] == "zh-CN" and words["zh"]["reconnecting"] == "正在重新连接…"
        assert "{n}" in words["zh"]["tooLong"] and "{max}" in words["zh"]["tooLong"]
        assert words["en"].keys() == words["zh"].keys()
        refused = await client.get(
            "/chat/ws", headers={"Origin": "https://evil.example", "Accept-Language": "zh-CN,zh;q=0.9"}
        )
        assert refused.status == 403 and await refused.text() == "此来源不能打开聊天。"
    finally:
        await client.close()
