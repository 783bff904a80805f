"""``POST /integrations/tracking`` over real HTTP: signed updates (Standard Webhooks) move shipped orders to
delivered or report a delivery problem, and the shopper hears it once, in their language."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from bots.conversation.engine import ConversationEngine
from chatshop.app import tracking_mount
from chatshop.bootstrap import Shop
from chatshop.web import create_app
from domain import commands as c
from domain.adapters import orm
from domain.model.approvals import ApprovalPolicy
from domain.model.staff import Actor
from tests.integration.bots.conftest import Chat, make_engine
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(120)
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER = "whsec_" + "aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ="


@pytest.fixture
async def endpoint(shop: Shop, tmp_path: Path) -> AsyncIterator[str]:
    app = create_app(shop, [tracking_mount(f"acme={SECRET}")], media_dir=tmp_path / "media")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/integrations/tracking"
    await runner.cleanup()


async def post(url: str, body: Any, secret: str = SECRET, message_id: str | None = None) -> tuple[int, Any]:
    raw = json.dumps(body) if not isinstance(body, str) else body
    message_id = message_id or f"msg_{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, now, raw),
        "content-type": "application/json",
    }
    async with aiohttp.ClientSession() as session, session.post(url, data=raw, headers=headers) as resp:
        return resp.status, await resp.json(content_type=None)


async def shipped_order(small: SmallShop, customer_id: int, number: str = "1Z999AA10123456784") -> int:
    bus = small.shop.bus
    order_id = await small.checkout(customer_id)
    link = await bus.handle(c.StartPayment(order_id, actor=Actor.shopper(customer_id)))
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    order = await small.shop.views.order(order_id)
    assert order is not None
    await bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, order.currency, session_id))
    for state in ("picking", "packed"):
        await bus.handle(c.AdvanceOrder(order_id, state, actor=c.SYSTEM))
    await bus.handle(c.ShipOrder(order_id, "UPS", number, actor=c.SYSTEM))
    return order_id


async def notices(shop: Shop, engine: ConversationEngine, chat: Chat) -> list[str]:
    """What the shopper's chat shows for the events the outbox delivers now."""
    told: list[str] = []

    async def tell(event_id: str, event: Any) -> None:
        told.extend(r.as_text() for r in await engine.outgoing(event, "webchat", chat.chat_id))

    shop.outbox.subscriptions = [s for s in shop.outbox.subscriptions if s.name != "test-chat"]
    shop.outbox.subscribe("test-chat", tell)
    await shop.outbox.drain()
    return told


async def test_delivered_moves_the_order_and_the_chinese_shopper_is_told_once(
    small: SmallShop, endpoint: str, nlu_engine: Any
) -> None:
    shop = small.shop
    engine = make_engine(shop, nlu_engine)
    chat = Chat(engine, user_id="web-1", locale="zh")
    await chat.say("你好")
    order_id = await shipped_order(small, await small.customer("web-1"))
    await notices(shop, engine, chat)  # what came before (paid, shipped)

    update = {"tracking_number": "1Z999AA10123456784", "status": "delivered", "carrier": "ups"}
    assert await post(endpoint, update, message_id="msg_1") == (200, {"result": "delivered"})
    assert await post(endpoint, update, message_id="msg_1") == (200, {"result": "duplicate"})
    assert await post(endpoint, update, message_id="msg_2") == (200, {"result": "unchanged"})
    order = await shop.views.order(order_id)
    assert order is not None and order.status == "delivered"
    assert await notices(shop, engine, chat) == [f"订单 #{order_id} 已送达，祝您使用愉快！\n[订单状态]"]


async def test_a_delivery_problem_is_told_to_the_shopper_in_their_language(
    small: SmallShop, endpoint: str, nlu_engine: Any
) -> None:
    shop = small.shop
    engine = make_engine(shop, nlu_engine)
    chat = Chat(engine, user_id="web-1", locale="zh")
    await chat.say("你好")
    order_id = await shipped_order(small, await small.customer("web-1"), number="TRK-9")
    await notices(shop, engine, chat)
    update = {"tracking_number": "TRK-9", "status": "exception", "description": "Address <b>not</b> found"}
    assert await post(endpoint, update, message_id="msg_x") == (200, {"result": "exception"})
    assert await post(endpoint, update, message_id="msg_x") == (200, {"result": "duplicate"})
    told = await notices(shop, engine, chat)
    assert len(told) == 1 and told[0].startswith(f"承运商报告订单 #{order_id} 的配送出现问题")
    order = await shop.views.order(order_id)
    assert order is not None and order.status == "shipped"


async def test_in_transit_and_unknown_numbers_are_answered_200_and_change_nothing(
    small: SmallShop, endpoint: str
) -> None:
    order_id = await shipped_order(small, await small.customer())
    assert await post(endpoint, {"tracking_number": "NOPE-1", "status": "delivered"}) == (200, {"result": "unknown"})
    transit = {"tracking_number": "1Z999AA10123456784", "status": "in_transit"}
    assert await post(endpoint, transit) == (200, {"result": "noted"})
    other_carrier = {"tracking_number": "1Z999AA10123456784", "status": "delivered", "carrier": "DHL"}
    assert await post(endpoint, other_carrier) == (200, {"result": "unknown"})
    order = await small.shop.views.order(order_id)
    assert order is not None and order.status == "shipped"


async def test_unsigned_wrongly_signed_and_malformed_updates_are_refused(shop: Shop, endpoint: str) -> None:
    update = {"tracking_number": "X", "status": "delivered"}
    status, problem = await post(endpoint, update, secret=OTHER)
    assert status == 401 and "signature" in problem["detail"]
    async with aiohttp.ClientSession() as session, session.post(endpoint, json=update) as resp:
        assert resp.status == 401 and resp.content_type == "application/problem+json"
    assert (await post(endpoint, {"tracking_number": "X", "status": "lost"}))[0] == 400
    assert (await post(endpoint, "[1, 2]"))[0] == 400
    assert (await post(endpoint, "{not json"))[0] == 400
    assert (await post(endpoint, {"tracking_number": "", "status": "delivered"}))[0] == 400
    async with shop.sessions() as session:
        assert (await session.execute(select(orm.outbox.c.id))).first() is None


async def paid_packed_order(small: SmallShop, customer_id: int, *states: str) -> int:
    bus = small.shop.bus
    order_id = await small.checkout(customer_id)
    link = await bus.handle(c.StartPayment(order_id, actor=Actor.shopper(customer_id)))
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    order = await small.shop.views.order(order_id)
    assert order is not None
    await bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, order.currency, session_id))
    for state in states:
        await bus.handle(c.AdvanceOrder(order_id, state, actor=c.SYSTEM))
    return order_id


async def test_shipped_for_an_order_without_a_shipment_ships_it_and_the_shopper_is_told_once(
    small: SmallShop, endpoint: str, nlu_engine: Any
) -> None:
    shop = small.shop
    engine = make_engine(shop, nlu_engine)
    chat = Chat(engine, user_id="web-1")
    await chat.say("hello")
    order_id = await paid_packed_order(small, await small.customer("web-1"), "picking", "packed")
    await notices(shop, engine, chat)
    update = {"tracking_number": "1ZNEW", "status": "shipped", "carrier": "UPS", "order_id": order_id}
    assert await post(endpoint, update, message_id="msg_s1") == (200, {"result": "shipped"})
    assert await post(endpoint, update, message_id="msg_s1") == (200, {"result": "duplicate"})
    assert await post(endpoint, update, message_id="msg_s2") == (200, {"result": "unchanged"})
    order = await shop.views.order(order_id)
    assert order is not None and order.status == "shipped"
    told = await notices(shop, engine, chat)
    assert len(told) == 1 and f"#{order_id}" in told[0] and "1ZNEW" in told[0], told
    async with shop.sessions() as session:
        ships = (await session.execute(select(orm.shipments.c.carrier, orm.shipments.c.tracking_number))).all()
    assert [tuple(s) for s in ships] == [("UPS", "1ZNEW")]
    delivered = {"tracking_number": "1ZNEW", "status": "delivered"}
    assert await post(endpoint, delivered) == (200, {"result": "delivered"})


async def test_shipped_takes_a_paid_order_through_picking_and_packing_but_not_one_waiting_for_approval(
    small: SmallShop, endpoint: str
) -> None:
    paid = await paid_packed_order(small, await small.customer("web-1"))
    update = {"tracking_number": "T-1", "status": "shipped", "carrier": "DHL", "order_id": paid}
    assert await post(endpoint, update) == (200, {"result": "shipped"})
    small.shop.bus.ctx.approvals = ApprovalPolicy(first_order=True)
    held = await paid_packed_order(small, await small.customer("web-2"))
    unpaid = await small.checkout(await small.customer("web-3"), "MUG-WHT")
    for order_id, number in ((held, "T-2"), (unpaid, "T-3")):
        refused = {"tracking_number": number, "status": "shipped", "carrier": "DHL", "order_id": order_id}
        assert await post(endpoint, refused) == (200, {"result": "refused"})
    no_order = {"tracking_number": "T-4", "status": "shipped", "carrier": "DHL"}
    assert await post(endpoint, no_order) == (200, {"result": "unknown"})
    assert (await post(endpoint, no_order | {"order_id": "12"}))[0] == 400
    states = {o: (await small.shop.views.order(o)).status for o in (paid, held, unpaid)}  # type: ignore[union-attr]
    assert states == {paid: "shipped", held: "awaiting_approval", unpaid: "pending_payment"}
