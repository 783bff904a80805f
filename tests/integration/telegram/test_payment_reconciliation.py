"""One order, two ways to pay (a Telegram invoice and the payment link), through the real entry points: the
Telegram webhook and the sandbox payment page. Money is never kept twice, every extra payment goes back
through the provider that took it (or becomes a task for a person), and the shopper is told once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from domain import commands as c
from domain.adapters import orm
from domain.model.staff import Actor
from tests.integration.telegram.conftest import Bot, find, messages
from tests.integration.telegram.test_purchase import check_out, order_id_of, texts_to
from tests.support.clock import FakeClock
from tests.support.fake_telegram import Call, Updates

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


async def invoice_for(bot: Bot, ann: Updates, link: Call) -> tuple[str, int]:
    """Press "Pay in Telegram": (invoice payload, total)."""
    sent = await bot.send(ann.press(link.button("Pay in Telegram")["callback_data"]))
    [invoice] = [call for call in sent if call.method == "sendInvoice"]
    return invoice.params["payload"], sum(int(p["amount"]) for p in invoice.params["prices"])


async def pay_in_telegram(bot: Bot, ann: Updates, payload: str, total: int, charge: str = "ch-1") -> None:
    assert await bot.post(ann.successful_payment(payload, total, charge=charge)) == 200


async def pay_on_the_page(bot: Bot, link: Call, outcome: str = "paid") -> str:
    url = link.button("Pay ")["url"]
    page = await bot.client.post(url.split("8080", 1)[1], data={"outcome": outcome})
    assert page.status == 200
    return await page.text()


async def settle(bot: Bot) -> None:
    while await bot.shop.outbox.drain():
        pass


async def money(bot: Bot, order_id: int) -> dict[str, Any]:
    p, r = orm.payments.c, orm.refunds.c
    async with bot.shop.sessions() as session:
        payments = (
            await session.execute(
                select(p.id, p.provider, p.amount, p.status, p.provider_payment_id)
                .where(p.order_id == order_id)
                .order_by(p.id)
            )
        ).all()
        refunds = (
            await session.execute(select(r.payment_id, r.amount, r.status).where(r.order_id == order_id).order_by(r.id))
        ).all()
    order = await bot.shop.views.order(order_id)
    assert order is not None
    return {
        "order": order,
        "payments": [(row.provider, str(row.status), row.provider_payment_id) for row in payments],
        "refunds": [
            (next(pay.provider for pay in payments if pay.id == row.payment_id), row.amount, str(row.status))
            for row in refunds
        ],
    }


async def test_paid_in_telegram_then_on_the_open_link_the_second_payment_goes_back_through_the_sandbox(
    bot: Bot, ann: Updates
) -> None:
    link = await check_out(bot, ann)
    order_id = order_id_of(link)
    payload, total = await invoice_for(bot, ann, link)
    [answer] = [call for call in await bot.send(ann.pre_checkout(payload, total)) if call.method != "getMe"]
    assert answer.params["ok"] is True
    await pay_in_telegram(bot, ann, payload, total)
    # The shopper pays the still-open link before the shop had closed it (the race the outbox can't win).
    await pay_on_the_page(bot, link)
    await settle(bot)

    state = await money(bot, order_id)
    order = state["order"]
    assert order.status == "paid" and order.captured == 2 * total and order.refunded == total
    assert order.captured - order.refunded == order.total
    assert [(provider, status) for provider, status, _ in state["payments"]] == [
        ("sandbox", "succeeded"),
        ("telegram", "succeeded"),
    ]
    # Refunded through the provider that took it, never the Telegram payment.
    assert state["refunds"] == [("sandbox", total, "succeeded")]
    texts = texts_to(bot, 5001)
    assert sum(f"Payment received for order #{order_id}" in t for t in texts) == 1
    assert sum(f"Order #{order_id} was already paid" in t for t in texts) == 1
    assert sum("We refunded" in t and f"#{order_id}" in t for t in texts) == 1


async def test_paid_in_telegram_closes_the_link_so_the_page_takes_no_second_payment(bot: Bot, ann: Updates) -> None:
    link = await check_out(bot, ann)
    order_id = order_id_of(link)
    payload, total = await invoice_for(bot, ann, link)
    await bot.send(ann.pre_checkout(payload, total))
    await pay_in_telegram(bot, ann, payload, total)
    await settle(bot)  # the link is closed at its provider after the commit
    page = await pay_on_the_page(bot, link)
    assert "already paid" in page
    await settle(bot)
    state = await money(bot, order_id)
    assert state["order"].captured == total and state["refunds"] == []
    assert [(provider, status) for provider, status, _ in state["payments"]] == [
        ("sandbox", "closed"),
        ("telegram", "succeeded"),
    ]


async def test_paid_on_the_link_first_makes_the_telegram_invoice_answer_already_paid(bot: Bot, ann: Updates) -> None:
    link = await check_out(bot, ann)
    order_id = order_id_of(link)
    payload, total = await invoice_for(bot, ann, link)
    await pay_on_the_page(bot, link)
    [answer] = [call for call in await bot.send(ann.pre_checkout(payload, total)) if call.method != "getMe"]
    assert answer.params["ok"] is False and "already paid" in answer.params["error_message"]
    await settle(bot)
    state = await money(bot, order_id)
    assert state["order"].captured == total
    assert [(provider, status) for provider, status, _ in state["payments"]] == [
        ("sandbox", "succeeded"),
        ("telegram", "closed"),
    ]


async def test_a_late_telegram_payment_after_the_shopper_cancelled_is_recorded_and_handed_to_staff(
    bot: Bot, ann: Updates
) -> None:
    link = await check_out(bot, ann)
    order_id = order_id_of(link)
    payload, total = await invoice_for(bot, ann, link)
    [answer] = [call for call in await bot.send(ann.pre_checkout(payload, total)) if call.method != "getMe"]
    assert answer.params["ok"] is True  # Telegram now takes the money while...
    customer = await bot.telegram.channel.customer_for(5001)
    await bot.shop.bus.cancel(c.CancelOrder(order_id, "changed my mind", actor=Actor.shopper(customer)))
    await pay_in_telegram(bot, ann, payload, total)  # ... the shopper had cancelled
    await settle(bot)

    state = await money(bot, order_id)
    order = state["order"]
    assert order.status == "cancelled" and order.captured == total and order.refunded == 0
    # The shop can't ask Telegram's provider for it: a refund waits for a person, and counts as owed.
    assert state["refunds"] == [("telegram", total, "needs_action")]
    async with bot.shop.sessions() as session:
        names = list((await session.execute(select(orm.outbox.c.name))).scalars())
    assert names.count("RefundNeedsAction") == 1 and names.count("ExtraPaymentReceived") == 1
    texts = texts_to(bot, 5001)
    assert sum("arrived after the order was closed" in t and f"#{order_id}" in t for t in texts) == 1
    assert sum("will come back to you" in t and f"#{order_id}" in t for t in texts) == 1

    # Staff refund it by hand at the provider and say so: the order's books close.
    assert await bot.shop.bus.handle(
        c.MarkRefundDone(await refund_id(bot, order_id), "refunded in the PSP", actor=c.SYSTEM)
    ) == ("succeeded")
    await settle(bot)
    done = (await money(bot, order_id))["order"]
    assert done.captured - done.refunded == 0 and done.status == "refunded"
    assert sum("We refunded" in t and f"#{order_id}" in t for t in texts_to(bot, 5001)) == 1


async def refund_id(bot: Bot, order_id: int) -> int:
    async with bot.shop.sessions() as session:
        return int(
            (await session.execute(select(orm.refunds.c.id).where(orm.refunds.c.order_id == order_id))).scalar_one()
        )


async def test_a_second_telegram_charge_on_the_same_invoice_is_money_received_and_reconciled(
    bot: Bot, ann: Updates
) -> None:
    link = await check_out(bot, ann)
    order_id = order_id_of(link)
    payload, total = await invoice_for(bot, ann, link)
    await bot.send(ann.pre_checkout(payload, total))
    await pay_in_telegram(bot, ann, payload, total, charge="ch-1")
    await pay_in_telegram(bot, ann, payload, total, charge="ch-2")
    await pay_in_telegram(bot, ann, payload, total, charge="ch-2")  # Telegram re-sends the update
    await settle(bot)
    state = await money(bot, order_id)
    assert [(p, s, charge) for p, s, charge in state["payments"] if p == "telegram"] == [
        ("telegram", "succeeded", "ch-1"),
        ("telegram", "succeeded", "ch-2"),
    ]
    assert state["order"].captured == 2 * total and state["order"].status == "paid"
    assert state["refunds"] == [("telegram", total, "needs_action")]
    assert sum(f"Order #{order_id} was already paid" in t for t in texts_to(bot, 5001)) == 1


async def test_a_declined_card_offers_another_card_in_the_chat_and_keeps_the_order(bot: Bot, ann: Updates) -> None:
    link = await check_out(bot, ann)
    order_id = order_id_of(link)
    await pay_on_the_page(bot, link, "declined")
    await settle(bot)
    assert (await money(bot, order_id))["order"].status == "pending_payment"
    notice, button = find(bot.fake.messages_to(5001), "Try another card")
    assert f"#{order_id}" in notice.text and "declined" in notice.text
    sent = messages(await bot.send(ann.press(button["callback_data"])))
    again, _ = find(sent, "Pay ")
    assert again.button("Pay ")["url"] == link.button("Pay ")["url"]  # the same link, still open


async def test_an_order_that_expires_unpaid_gives_the_shopper_their_cart_back(
    bot: Bot, ann: Updates, clock: FakeClock
) -> None:
    link = await check_out(bot, ann)
    order_id = order_id_of(link)
    customer = await bot.telegram.channel.customer_for(5001)
    assert (await bot.shop.views.cart(customer)).lines == ()
    clock.advance(minutes=16)
    assert await bot.shop.bus.handle(c.ExpireReservations()) == 1
    await settle(bot)
    cart = await bot.shop.views.cart(customer)
    order = (await money(bot, order_id))["order"]
    assert [(line.sku, line.quantity) for line in cart.lines] == [(line.sku, line.quantity) for line in order.lines]
    assert sum("back in your cart" in t and f"#{order_id}" in t for t in texts_to(bot, 5001)) == 1
