"""A web chat shopper and a Telegram shopper, each walking orders through every state, hear the same
notices, each exactly once: the one place that decides (bots.conversation.notices) serves both channels."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from channels import webchat
from channels.telegram import mount as mount_telegram
from channels.webchat.server import HUB_KEY
from chatshop.bootstrap import Shop
from chatshop.subscribers.channels import subscribe_telegram, subscribe_webchat
from chatshop.web import create_app
from domain import commands as c
from domain.model.approvals import ApprovalPolicy
from domain.model.customers import Channel
from domain.model.staff import Actor, Role
from nlu.interface import NluEngine
from tests.integration.telegram.conftest import add_pictured_product, make_telegram
from tests.support.fake_telegram import FakeTelegram
from tests.support.shopdata import ADDRESS, SmallShop

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
APPROVER = Actor.staff("abe", Role.APPROVER)
TELEGRAM_CHAT = 7001
WEB_CHAT = "w" + "0" * 31


@dataclass
class Both:
    shop: Shop
    fake: FakeTelegram
    app: web.Application

    async def web_texts(self) -> list[str]:
        """The notices kept for the web chat's next visit (no tab is open)."""
        resumed = await self.app[HUB_KEY].resume(WEB_CHAT)
        return [str(reply.get("text", "")) for _id, replies in resumed.pending for reply in replies]

    def telegram_texts(self) -> list[str]:
        return [call.text for call in self.fake.messages_to(TELEGRAM_CHAT)]


@pytest.fixture
async def both(small: SmallShop, fake: FakeTelegram, nlu_engine: NluEngine) -> AsyncIterator[Both]:
    await add_pictured_product(small.shop)
    telegram = make_telegram(small.shop, fake, nlu_engine)

    def mounts(app: web.Application, shop: Shop) -> None:
        mount_telegram(app, shop, telegram)
        subscribe_telegram(shop, telegram)
        webchat.mount(app, shop, telegram.channel.engine)
        subscribe_webchat(app, shop)

    app = create_app(small.shop, [mounts])
    async with TestClient(TestServer(app)):
        yield Both(small.shop, fake, app)


async def pay(shop: Shop, order_id: int) -> None:
    link = await shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    session = await shop.sandbox.settle(link.url.rsplit("/", 1)[1], "paid")
    await shop.bus.handle(c.ConfirmPayment("sandbox", session.id, session.amount, session.currency))


async def walk_every_state(shop: Shop, customer: int, channel: str) -> list[int]:
    """Four orders: fulfilled, returned and refunded in two parts; rejected; cancelled by staff; declined then
    expired. Returns their ids."""
    bus = shop.bus

    async def place(sku: str = "MUG-WHT") -> int:
        await bus.handle(c.AddToCart(customer, sku, 1, actor=Actor.shopper(customer)))
        return int(
            await bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", channel, actor=Actor.shopper(customer)))
        )

    fulfilled = await place()
    await pay(shop, fulfilled)
    await bus.handle(c.ApproveOrder(fulfilled, actor=APPROVER))
    for step in ("picking", "packed"):
        await bus.handle(c.AdvanceOrder(fulfilled, step, actor=APPROVER))
    await bus.handle(c.ShipOrder(fulfilled, "UPS", "1Z999", actor=APPROVER))
    await bus.handle(c.AdvanceOrder(fulfilled, "delivered", actor=APPROVER))
    await bus.handle(c.RequestReturn(fulfilled, "too small", actor=Actor.shopper(customer)))
    await bus.handle(c.ReceiveReturn(fulfilled, actor=APPROVER))
    assert await bus.refund(c.RefundOrder(fulfilled, 500, "part of it", actor=APPROVER)) == "succeeded"
    assert await bus.refund(c.RefundOrder(fulfilled, None, "the rest", actor=APPROVER)) == "succeeded"

    rejected = await place()
    await pay(shop, rejected)
    await bus.cancel(c.RejectOrder(rejected, "we can't ship there this week", actor=APPROVER))

    cancelled = await place()
    await pay(shop, cancelled)
    await bus.handle(c.ApproveOrder(cancelled, actor=APPROVER))
    await bus.cancel(c.CancelOrder(cancelled, "out of stock after all", actor=APPROVER))

    declined = await place()
    link = await bus.handle(c.StartPayment(declined, actor=c.SYSTEM))
    await bus.handle(c.RecordPaymentAttemptFailed("sandbox", declined, "card declined"))
    assert link.url
    return [fulfilled, rejected, cancelled, declined]


def shape(texts: list[str], orders: list[int]) -> Counter[str]:
    """Each notice with its order named by position (A-D), so two shoppers' notices compare."""
    out: Counter[str] = Counter()
    for text in texts:
        for index, order_id in enumerate(orders):
            text = re.sub(rf"#{order_id}\b", f"#{'ABCD'[index]}", text)
        out[re.sub(r"<[^>]+>", "", text)] += 1
    return out


async def test_web_chat_and_telegram_shoppers_hear_the_same_notices_exactly_once(both: Both) -> None:
    shop = both.shop
    shop.bus.ctx.approvals = ApprovalPolicy(total_over=0)  # every order waits for a person to approve it
    web = int(await shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, WEB_CHAT, "Wes")))
    tg = int(await shop.bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, str(TELEGRAM_CHAT), "Tia")))
    web_orders = await walk_every_state(shop, web, "webchat")
    tg_orders = await walk_every_state(shop, tg, "telegram")
    shop.clock.advance(minutes=16)  # type: ignore[attr-defined]
    assert await shop.bus.handle(c.ExpireReservations()) == 2
    while await shop.outbox.drain():
        pass

    heard_on_web = shape(await both.web_texts(), web_orders)
    heard_on_telegram = shape(both.telegram_texts(), tg_orders)
    assert heard_on_web == heard_on_telegram
    assert set(heard_on_web.values()) == {1}, heard_on_web  # nothing twice
    expected = [
        "Payment received for order #A",
        "order #A is approved",
        "Order #A is on its way",
        "Order #A has been delivered",
        "We received your return of order #A",
        "for order #A.",  # the partial refund
        "for order #A: everything you paid",
        "couldn't accept order #B: we can't ship there this week",
        "Order #C was cancelled (out of stock after all)",
        "The card was declined for order #D",
        "The payment link for order #D expired",
    ]
    for words in expected:
        assert sum(words in text for text in heard_on_web) >= 1, (words, sorted(heard_on_web))
    refunds = [text for text in heard_on_web if text.startswith("We refunded")]
    assert len(refunds) == 4  # two for A, one each for B and C
