"""Paying inside Telegram: an invoice for a pending order, the pre-checkout re-check, the payment itself.

- "Pay in Telegram" (a typed callback) opens an in-chat payment (``OpenChatPayment``) and sends an
  invoice whose payload is the payment's session id (it names the order: ``te-<order id>-<random>``).
- ``pre_checkout_query``: Telegram waits at most 10 s for our answer and the money moves only on ok, so
  ok is given only after the order is re-checked (still pending, reservation not run out, same total) by
  ``CheckChatPayment``, with a deadline well inside those 10 s.
- ``successful_payment``: ``ConfirmPayment(provider="telegram")`` marks the order paid; it is idempotent
  (a replayed update finds the payment already succeeded), and the "payment received" message comes
  from the outbox like every other notification, so it is sent once. A transient failure (database
  down) answers the webhook 500 so Telegram re-sends the update; a permanent one is logged as an error.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import F, Router
from aiogram.methods import AnswerCallbackQuery, AnswerPreCheckoutQuery, SendInvoice
from aiogram.types import CallbackQuery, LabeledPrice, Message, PreCheckoutQuery

from channels.telegram.callbacks import PayInvoice
from channels.telegram.channel import CHANNEL, TelegramChannel
from domain import commands as c
from domain.errors import DomainError
from domain.model.catalog import catalog_locale
from domain.model.money import Money
from domain.model.staff import Actor

log = logging.getLogger(__name__)
PROVIDER = CHANNEL
PRE_CHECKOUT_DEADLINE = 7.0  # seconds; Telegram gives up at 10


async def pay_invoice(query: CallbackQuery, callback_data: PayInvoice, channel: TelegramChannel, locale: str,
                      customer_id: int) -> None:  # fmt: skip
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    provider_token = channel.config.provider_token
    try:
        if not provider_token:
            raise DomainError("payments inside Telegram are not enabled")
        invoice = await channel.bus.handle(
            c.OpenChatPayment(callback_data.order_id, PROVIDER, actor=Actor.shopper(customer_id))
        )
    except DomainError as exc:
        text = channel.text("invoice_failed", locale, problem=exc.message)
        await channel.sender.send(AnswerCallbackQuery(callback_query_id=query.id, text=text[:200], show_alert=True))
        return
    await channel.sender.send(AnswerCallbackQuery(callback_query_id=query.id))
    title = channel.text("invoice_title", locale, id=invoice.order_id)
    lines = [(line.quantity, line.name) for line in invoice.lines]
    if catalog_locale(locale) and (order := await channel.views.order(invoice.order_id, locale)) is not None:
        lines = [(line.quantity, line.name) for line in order.lines]  # named in the shopper's language
    items = ", ".join(f"{quantity} x {name}" for quantity, name in lines)
    description = f"{items} - {Money(invoice.amount, invoice.currency).format()}"
    await channel.sender.send(
        SendInvoice(
            chat_id=chat_id,
            title=title[:32],
            description=description[:255],
            payload=invoice.session_id,
            provider_token=provider_token,
            currency=invoice.currency,
            # One price row with the order's total (shipping, tax and discounts included): Telegram checks
            # that the rows add up, and the order is the single source of the amount.
            prices=[LabeledPrice(label=title[:32], amount=invoice.amount)],
        )
    )


async def pre_checkout(query: PreCheckoutQuery, channel: TelegramChannel, locale: str) -> None:
    check = c.CheckChatPayment(PROVIDER, query.invoice_payload, query.total_amount, query.currency)
    try:
        problem = await asyncio.wait_for(channel.bus.handle(check), PRE_CHECKOUT_DEADLINE)
    except TimeoutError:
        problem = "slow"
    except DomainError as exc:
        log.info("pre-checkout %s refused: %s", query.invoice_payload, exc.message)
        problem = "unknown"
    if problem is None:
        await channel.sender.send(AnswerPreCheckoutQuery(pre_checkout_query_id=query.id, ok=True))
        return
    reason = channel.text(f"checkout_{problem}", locale)
    await channel.sender.send(AnswerPreCheckoutQuery(pre_checkout_query_id=query.id, ok=False, error_message=reason))


async def successful_payment(message: Message, channel: TelegramChannel) -> None:
    paid = message.successful_payment
    assert paid is not None
    command = c.ConfirmPayment(
        provider=PROVIDER,
        session_id=paid.invoice_payload,
        amount=paid.total_amount,
        currency=paid.currency,
        provider_payment_id=paid.telegram_payment_charge_id,
    )
    try:
        status = await channel.bus.handle(command)
    except DomainError as exc:
        # Permanent (unknown session, amount mismatch): a retry would fail the same way, so it is not
        # raised (which would make Telegram re-send it for a day) but logged for a person to settle.
        log.error("Telegram payment %s (charge %s) not booked: %s", paid.invoice_payload,
                  paid.telegram_payment_charge_id, exc.message)  # fmt: skip
        return
    log.info("Telegram payment %s confirmed; order is %s", paid.invoice_payload, status)


def router() -> Router:
    r = Router(name="payments")
    r.callback_query.register(pay_invoice, PayInvoice.filter())
    r.pre_checkout_query.register(pre_checkout)
    r.message.register(successful_payment, F.successful_payment)
    return r
