"""In-chat payments (a Telegram invoice is paid without leaving the chat) and channel reachability.

With a payment page the provider creates the session; with an in-chat invoice the chat app collects the
money, so the shop opens the Payment row itself and the invoice carries its session id. The payment is
later confirmed by the ordinary ``ConfirmPayment(provider, session_id, ...)``, which is idempotent.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from domain import commands as c
from domain import events
from domain.errors import IllegalTransition, PaymentExpired
from domain.model import Payment
from domain.model.orders import OrderStatus
from domain.model.payments import PaymentStatus
from domain.model.staff import Permission
from domain.service_layer.context import Context
from domain.service_layer.handlers.customers import get_customer
from domain.service_layer.handlers.orders import load_order


@dataclass(frozen=True)
class ChatInvoiceLine:
    name: str
    quantity: int
    unit_price: int


@dataclass(frozen=True)
class ChatInvoice:
    order_id: int
    session_id: str  # the invoice payload; comes back in the pre-checkout query and the successful payment
    amount: int  # minor units, the order's total
    currency: str
    lines: tuple[ChatInvoiceLine, ...]
    expires_at: datetime


async def open_chat_payment(cmd: c.OpenChatPayment, ctx: Context) -> ChatInvoice:
    async with ctx.uow() as uow:
        order = await load_order(uow, cmd.order_id)
        assert order.id is not None
        cmd.actor.require_owner_or(order.customer_id, Permission.VIEW)
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise IllegalTransition(order.ref, order.status.value, "paid")
        expires_at = order.reservation_expires_at
        if expires_at is None or expires_at <= ctx.now():
            raise PaymentExpired(f"The reservation for order {order.ref} has run out; please check out again.")
        lines = tuple(ChatInvoiceLine(line.name, line.quantity, line.unit_price) for line in order.lines)
        for payment in await uow.sales.payments_of(order.id):
            # Pressing "pay" twice sends the same invoice again rather than opening a second payment.
            if (
                payment.provider == cmd.provider
                and payment.status == PaymentStatus.PENDING
                and payment.amount == order.total
                and payment.session_id
            ):
                return ChatInvoice(order.id, payment.session_id, order.total, order.currency, lines, expires_at)
        payment = Payment(order.id, cmd.provider, order.total, order.currency, ctx.now(), expires_at)
        payment.session_id = f"{cmd.provider[:2]}-{order.id}-{secrets.token_hex(6)}"
        await uow.sales.add_payment(payment)
        await uow.commit()
        return ChatInvoice(order.id, payment.session_id, order.total, order.currency, lines, expires_at)


async def check_chat_payment(cmd: c.CheckChatPayment, ctx: Context) -> str | None:
    """None: the money may move. Read only; the decision is re-made by ConfirmPayment when it arrives."""
    async with ctx.uow() as uow:
        payment = await uow.sales.payment_by_session(cmd.provider, cmd.session_id)
        if payment is None:
            return "unknown"
        order = await load_order(uow, payment.order_id, lock=False)
        if order.paid_at is not None and order.status != OrderStatus.CANCELLED:
            return "paid"  # through this invoice or another payment: the money must not move twice
        if payment.status != PaymentStatus.PENDING or order.status != OrderStatus.PENDING_PAYMENT:
            return "not_pending"
        expires_at = order.reservation_expires_at
        if expires_at is None or expires_at <= ctx.now():
            return "expired"
        if cmd.amount != payment.amount or cmd.amount != order.total or cmd.currency.upper() != order.currency:
            return "amount"
        return None


async def set_channel_reachable(cmd: c.SetChannelReachable, ctx: Context) -> bool:
    """Returns True when the flag changed (so callers can log a block or an unblock once)."""
    channel = cmd.channel.strip().lower()[:32]
    async with ctx.uow().reading() as uow:  # every /start asks; nearly always nothing changes: a look first
        customer = await get_customer(uow, cmd.customer_id)
        if (channel not in customer.unreachable_channels) == cmd.reachable:
            return False
    async with ctx.uow() as uow:
        customer = await get_customer(uow, cmd.customer_id)
        already_reachable = channel not in customer.unreachable_channels
        if already_reachable == cmd.reachable:
            return False
        if cmd.reachable:
            customer.unreachable_channels = [ch for ch in customer.unreachable_channels if ch != channel]
            assert customer.id is not None
            uow.publish(events.ChannelReachable(customer.id, channel))
        else:
            customer.unreachable_channels = [*customer.unreachable_channels, channel]
        await uow.commit()
        return True
