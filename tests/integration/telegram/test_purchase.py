"""A whole purchase through the webhook: browse, cart edits in place, checkout, pay (payment page or a
Telegram invoice), and the order notifications, each delivered once."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain.model.staff import Actor, Role
from tests.integration.telegram.conftest import Bot, find, messages
from tests.support.clock import FakeClock
from tests.support.fake_telegram import Call, Updates

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
OPERATOR = Actor.staff("olga", Role.OPERATOR)
ADDRESS = ("Ann Shopper", "1 Main Street", "Springfield", "US", "12345")


async def check_out(bot: Bot, ann: Updates) -> Call:
    """From /start to the payment link; returns the payment-link message."""
    await bot.send(ann.text("/start"))
    sent = messages(await bot.send(ann.text("show me red shoes")))
    sent = messages(await bot.send(ann.press(find(sent, "Add to cart")[1]["callback_data"])))
    sent = messages(await bot.send(ann.text("/cart")))
    sent = messages(await bot.send(ann.press(find(sent, "Check out")[1]["callback_data"])))
    for answer in ADDRESS:
        sent = messages(await bot.send(ann.text(answer)))
    sent = messages(await bot.send(ann.press(find(sent, "Standard")[1]["callback_data"])))
    sent = messages(await bot.send(ann.press(find(sent, "Place order")[1]["callback_data"])))
    link, _ = find(sent, "Pay in Telegram")
    return link


def order_id_of(link: Call) -> int:
    return int(link.text.split("#")[1].split()[0])


def texts_to(bot: Bot, chat: int) -> list[str]:
    return [call.text for call in bot.fake.messages_to(chat)]


async def test_a_purchase_paid_on_the_payment_page_is_notified_once_paid_and_once_shipped(
    bot: Bot, ann: Updates
) -> None:
    link = await check_out(bot, ann)
    assert "expire in 15 minutes" in link.text
    url = link.button("Pay ")["url"]
    order_id = order_id_of(link)
    page = await bot.client.post(url.split("8080", 1)[1], data={"outcome": "paid"})
    assert page.status == 200
    await bot.shop.outbox.drain()
    await bot.shop.outbox.drain()
    paid = [t for t in texts_to(bot, 5001) if f"Payment received for order #{order_id}" in t]
    assert len(paid) == 1

    for target in ("picking", "packed"):
        await bot.shop.bus.handle(c.AdvanceOrder(order_id, target, actor=OPERATOR))
    await bot.shop.bus.handle(c.ShipOrder(order_id, "UPS", "1Z999AA10123456784", actor=OPERATOR))
    await bot.shop.outbox.drain()
    await bot.shop.outbox.drain()
    shipped = [call for call in bot.fake.messages_to(5001) if "on its way" in call.text]
    assert len(shipped) == 1
    assert "1Z999AA10123456784" in shipped[0].text and shipped[0].button("Track")["url"].startswith("https://")

    await bot.shop.bus.handle(c.AdvanceOrder(order_id, "delivered", actor=OPERATOR))
    await bot.shop.outbox.drain()
    assert sum(f"Order #{order_id} has been delivered" in t for t in texts_to(bot, 5001)) == 1


async def test_changing_a_quantity_in_the_cart_edits_the_cart_message_in_place(bot: Bot, ann: Updates) -> None:
    await bot.shop.bus.handle(c.AddToCart(await bot.telegram.channel.customer_for(5001), "MUG-WHT", 1, actor=c.SYSTEM))
    [cart] = messages(await bot.send(ann.text("/cart")))
    shown = bot.fake.message(5001, 1)
    [edited] = messages(await bot.send(ann.press(cart.button("+")["callback_data"], shown)))
    assert edited.method == "editMessageText" and int(edited.params["message_id"]) == 1
    assert "2 × Hearth Ceramic Mug" in edited.text
    assert len(bot.fake.messages_to(5001)) == 2  # the cart was redrawn, not sent again


async def test_a_telegram_invoice_is_checked_before_checkout_and_paid_exactly_once(bot: Bot, ann: Updates) -> None:
    link = await check_out(bot, ann)
    order_id = order_id_of(link)
    sent = await bot.send(ann.press(link.button("Pay in Telegram")["callback_data"]))
    [invoice] = [call for call in sent if call.method == "sendInvoice"]
    order = await bot.shop.views.order(order_id)
    assert order is not None
    payload = invoice.params["payload"]
    assert payload.startswith(f"te-{order_id}-")
    assert invoice.params["currency"] == "USD" and invoice.params["provider_token"] == "PROVIDER-TOKEN"
    assert sum(int(p["amount"]) for p in invoice.params["prices"]) == order.total

    [answer] = [call for call in await bot.send(ann.pre_checkout(payload, order.total)) if call.method != "getMe"]
    assert answer.method == "answerPreCheckoutQuery" and answer.params["ok"] is True

    assert await bot.post(ann.successful_payment(payload, order.total, charge="ch-1")) == 200
    assert await bot.post(ann.successful_payment(payload, order.total, charge="ch-1")) == 200  # a replay
    paid = await bot.shop.views.order(order_id)
    assert paid is not None and paid.status == "paid" and paid.captured == order.total
    await bot.shop.outbox.drain()
    assert sum(f"Payment received for order #{order_id}" in t for t in texts_to(bot, 5001)) == 1


async def test_pre_checkout_for_an_order_whose_reservation_expired_is_refused_with_a_reason(
    bot: Bot, ann: Updates, clock: FakeClock
) -> None:
    link = await check_out(bot, ann)
    sent = await bot.send(ann.press(link.button("Pay in Telegram")["callback_data"]))
    [invoice] = [call for call in sent if call.method == "sendInvoice"]
    total = sum(int(p["amount"]) for p in invoice.params["prices"])
    clock.advance(minutes=16)
    [answer] = await bot.send(ann.pre_checkout(invoice.params["payload"], total))
    assert answer.params["ok"] is False and "expired" in answer.params["error_message"]


async def test_pre_checkout_with_a_different_total_or_an_unknown_payload_is_refused(bot: Bot, ann: Updates) -> None:
    link = await check_out(bot, ann)
    sent = await bot.send(ann.press(link.button("Pay in Telegram")["callback_data"]))
    [invoice] = [call for call in sent if call.method == "sendInvoice"]
    total = sum(int(p["amount"]) for p in invoice.params["prices"])
    [wrong] = await bot.send(ann.pre_checkout(invoice.params["payload"], total - 1))
    assert wrong.params["ok"] is False and "total changed" in wrong.params["error_message"]
    [unknown] = await bot.send(ann.pre_checkout("te-999-000000000000", total))
    assert unknown.params["ok"] is False


async def test_an_invoice_for_someone_elses_order_is_refused(bot: Bot, ann: Updates) -> None:
    link = await check_out(bot, ann)
    bob = Updates(5003, "Bob")
    sent = await bot.send(bob.press(link.button("Pay in Telegram")["callback_data"]))
    assert [call.method for call in sent if call.method != "getMe"] == ["answerCallbackQuery"]
    assert sent[-1].params["show_alert"] is True and "can't be paid" in sent[-1].params["text"]
