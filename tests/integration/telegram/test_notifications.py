"""Order and support notifications through the outbox: once each, across a crash of the sending worker."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import pytest
from aiogram.methods import TelegramMethod

from channels.telegram.notifications import TelegramNotifier
from channels.telegram.sender import TelegramSender
from domain import commands as c
from domain.adapters.outbox import OutboxWorker
from domain.model.customers import Channel
from domain.model.staff import Actor, Role
from tests.integration.telegram.conftest import Bot, messages
from tests.support.clock import FakeClock
from tests.support.fake_telegram import Updates
from tests.support.shopdata import ADDRESS

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
T = TypeVar("T")
AGENT = Actor.staff("sam", Role.OPERATOR)


async def paid_telegram_order(bot: Bot, user_id: int, locale: str = "en") -> int:
    bus = bot.shop.bus
    customer = int(await bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, str(user_id), "Shopper", locale=locale)))
    await bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    order_id = int(
        await bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "telegram", actor=Actor.shopper(customer)))
    )
    link = await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    session_id = link.url.rsplit("/", 1)[1]
    await bot.shop.sandbox.settle(session_id, "paid")
    order = await bot.shop.views.order(order_id)
    assert order is not None
    await bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, order.currency))
    return order_id


class DyingSender(TelegramSender):
    """Delivers ``survive`` messages, then the worker process "dies" (its task is cancelled)."""

    def __init__(self, *args: Any, survive: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.survive = survive

    async def send(self, method: TelegramMethod[T]) -> T | None:
        if self.stats.sent >= self.survive:
            raise asyncio.CancelledError("worker killed")
        return await super().send(method)


def paid_notices(bot: Bot, chat: int) -> list[str]:
    return [call.text for call in bot.fake.messages_to(chat) if "Payment received" in call.text]


async def test_every_notification_is_delivered_exactly_once_when_the_worker_dies_mid_way(
    bot: Bot, clock: FakeClock
) -> None:
    chats = list(range(6001, 6007))
    for chat in chats:
        await paid_telegram_order(bot, chat)
    channel = bot.telegram.channel
    first_sender = DyingSender(channel.bot, chat_per_second=100.0, chat_burst=100, survive=3)
    channel.sender = first_sender
    doomed = OutboxWorker(bot.shop.sessions, clock, name="doomed")
    doomed.subscribe("telegram", TelegramNotifier(channel, bot.shop.bus.ctx.uow, doomed), {"OrderPaid"})
    with pytest.raises(asyncio.CancelledError):
        await doomed.drain()
    assert sum(len(paid_notices(bot, chat)) for chat in chats) == 3

    # A new process starts; the dead worker's lease runs out and its events are delivered again.
    channel.sender = TelegramSender(channel.bot, chat_per_second=100.0, chat_burst=100)
    clock.advance(minutes=2)
    fresh = OutboxWorker(bot.shop.sessions, clock, name="fresh")
    fresh.subscribe("telegram", TelegramNotifier(channel, bot.shop.bus.ctx.uow, fresh), {"OrderPaid"})
    await fresh.drain()
    clock.advance(minutes=20)
    await fresh.drain()
    assert {chat: len(paid_notices(bot, chat)) for chat in chats} == dict.fromkeys(chats, 1)


async def test_a_send_that_fails_leaves_the_notification_for_the_next_round(bot: Bot, clock: FakeClock) -> None:
    order_id = await paid_telegram_order(bot, 6100)
    bot.fake.fail_next = [502, 502]  # Telegram is down for longer than the sender retries
    bot.telegram.channel.sender.network_attempts = 2
    await bot.shop.outbox.drain()
    assert paid_notices(bot, 6100) == []
    clock.advance(minutes=5)
    await bot.shop.outbox.drain()
    assert len(paid_notices(bot, 6100)) == 1 and f"#{order_id}" in paid_notices(bot, 6100)[0]


async def test_notifications_are_in_the_shoppers_language_and_only_for_telegram_orders(bot: Bot) -> None:
    order_id = await paid_telegram_order(bot, 6200, locale="zh")
    web_customer = int(await bot.shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "web-9", "Wen")))
    await bot.shop.bus.handle(c.LinkIdentity(web_customer, Channel.TELEGRAM, "6201", actor=c.SYSTEM))
    await bot.shop.bus.handle(c.AddToCart(web_customer, "MUG-WHT", 1, actor=Actor.shopper(web_customer)))
    await bot.shop.bus.handle(
        c.PlaceOrder(web_customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(web_customer))
    )
    await bot.shop.outbox.drain()
    [notice] = [call for call in bot.fake.messages_to(6200) if f"#{order_id}" in call.text]
    assert "Payment received" not in notice.text and str(order_id) in notice.text
    assert bot.fake.messages_to(6201) == []


async def test_cancellation_and_refund_are_told_with_an_order_status_button(bot: Bot) -> None:
    order_id = await paid_telegram_order(bot, 6300)
    await bot.shop.bus.cancel(c.CancelOrder(order_id, "changed my mind", actor=AGENT))
    await bot.shop.outbox.drain()
    texts = [call.text for call in bot.fake.messages_to(6300)]
    assert sum(f"Order #{order_id} was cancelled (changed my mind)" in t for t in texts) == 1
    assert sum("We refunded" in t and f"#{order_id}" in t for t in texts) == 1
    cancelled = next(call for call in bot.fake.messages_to(6300) if "cancelled" in call.text)
    assert cancelled.button("Order status")["callback_data"].startswith("1.o.")


async def test_a_shopper_who_blocked_the_bot_hears_the_held_notices_when_they_write_again(bot: Bot) -> None:
    customer = await bot.telegram.channel.customer_for(6400)
    bot.fake.blocked.add(6400)
    order_id = await paid_telegram_order(bot, 6400)
    await bot.shop.outbox.drain()

    async def unreachable() -> list[str]:
        async with bot.shop.bus.ctx.uow() as uow:
            found = await uow.customers.get(customer)
            assert found is not None
            return list(found.unreachable_channels)

    assert await unreachable() == ["telegram"]
    backlog = await bot.shop.outbox.drain()
    assert backlog == 0  # not retried forever

    def attempts() -> int:  # calls the fake refused with 403 count too
        return sum(1 for call in bot.fake.calls if call.chat_id == 6400)

    before = attempts()
    for step in ("picking", "packed"):
        await bot.shop.bus.handle(c.AdvanceOrder(order_id, step, actor=AGENT))
    await bot.shop.bus.handle(c.ShipOrder(order_id, "UPS", "1Z999", actor=AGENT))  # while blocked: not even tried
    await bot.shop.outbox.drain()
    assert attempts() == before
    bot.fake.blocked.clear()
    # Any message, not only /start, makes them reachable; what came due meanwhile is sent then, once each.
    assert messages(await bot.send(Updates(6400).text("hi there")))
    assert await unreachable() == []
    await bot.shop.outbox.drain()
    await bot.shop.outbox.drain()
    texts = [call.text for call in bot.fake.messages_to(6400)]
    assert sum(f"Payment received for order #{order_id}" in t for t in texts) == 1  # the one refused with 403
    assert sum(f"Order #{order_id} is on its way" in t for t in texts) == 1
    await bot.send(Updates(6400).text("/start"))
    await bot.shop.outbox.drain()
    assert len([t for t in (call.text for call in bot.fake.messages_to(6400)) if f"#{order_id}" in t]) == 2


async def test_an_agents_reply_and_the_closed_ticket_reach_the_shoppers_chat(bot: Bot, ann: Updates) -> None:
    await bot.send(ann.text("/start"))
    sent = messages(await bot.send(ann.text("I want to talk to a human")))
    assert any(call.method == "sendMessage" for call in sent)
    tickets = await bot.shop.views.open_tickets()
    [ticket] = [t for t in tickets if str(t.get("chat_id")) == "5001"]
    await bot.shop.bus.handle(c.PostTicketMessage(int(ticket["id"]), "Hi Ann, how can I help?", actor=AGENT))
    await bot.shop.bus.handle(c.CloseTicket(int(ticket["id"]), actor=AGENT))
    await bot.shop.outbox.drain()
    await bot.shop.outbox.drain()
    texts = [call.text for call in bot.fake.messages_to(5001)]
    assert sum("how can I help?" in t for t in texts) == 1
    assert sum("closed this conversation" in t for t in texts) == 1


async def test_a_notice_that_fails_to_build_is_retried_by_the_outbox_not_counted_as_told(
    bot: Bot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    order_id = await paid_telegram_order(bot, 6500)
    views = bot.telegram.channel.engine.services.views
    real = views.order

    async def database_hiccup(order: int) -> Any:
        raise OSError("connection reset by peer")

    monkeypatch.setattr(views, "order", database_hiccup)
    await bot.shop.outbox.drain()
    assert paid_notices(bot, 6500) == []  # not marked as told
    monkeypatch.setattr(views, "order", real)
    clock.advance(minutes=5)  # past the retry's back-off
    await bot.shop.outbox.drain()
    assert sum(f"#{order_id}" in text for text in paid_notices(bot, 6500)) == 1
