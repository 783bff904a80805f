"""Payment commands. Provider calls happen between transactions, never inside one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import commands as c
from domain import events
from domain.errors import IllegalTransition, NotFound, PaymentExpired, ValidationFailed
from domain.model import AnalyticsEvent, Payment
from domain.model.analytics import EventName
from domain.model.orders import HOLDS_STOCK, OrderStatus
from domain.model.payments import PaymentStatus, RefundStatus
from domain.model.staff import Actor, Permission
from domain.ports import PaymentLineItem, PaymentSessionRequest, RefundRequest
from domain.service_layer.context import Context
from domain.service_layer.handlers import inventory
from domain.service_layer.handlers.orders import _open_refund, end_unpaid_order, load_order


@dataclass(frozen=True)
class PaymentLink:
    order_id: int
    url: str
    expires_at: datetime
    provider: str


async def start_payment(cmd: c.StartPayment, ctx: Context) -> PaymentLink:
    """Get (or reuse) a payment session for a pending order; it expires with the stock reservation."""
    async with ctx.uow() as uow:
        order = await load_order(uow, cmd.order_id, lock=False)
        assert order.id is not None
        (cmd.actor or Actor.shopper(order.customer_id)).require_owner_or(order.customer_id, Permission.VIEW)
        now = ctx.now()
        if order.status != OrderStatus.PENDING_PAYMENT:
            raise IllegalTransition(order.ref, order.status.value, "paid")
        expires_at = order.reservation_expires_at
        if expires_at is None or expires_at <= now:
            raise PaymentExpired(f"The reservation for order {order.ref} has run out; please check out again.")
        for payment in await uow.sales.payments_of(order.id):
            if payment.status == PaymentStatus.PENDING and payment.url and payment.provider == ctx.payments.name:
                return PaymentLink(order.id, payment.url, payment.expires_at or expires_at, payment.provider)
        customer = await uow.customers.get(order.customer_id)
        request = PaymentSessionRequest(
            order_id=order.id,
            amount=order.total,
            currency=order.currency,
            lines=tuple(PaymentLineItem(line.name, line.quantity, line.unit_price) for line in order.lines),
            expires_at=expires_at,
            idempotency_key=f"order-{order.id}-session",
            success_url=f"{ctx.config.base_url}/orders/{order.id}/paid",
            cancel_url=f"{ctx.config.base_url}/orders/{order.id}/cancelled",
            customer_email=customer.email if customer else None,
        )
    session = await ctx.payments.create_session(request)
    async with ctx.uow() as uow:
        existing = await uow.sales.payment_by_session(ctx.payments.name, session.session_id)
        if existing is None:
            order = await load_order(uow, cmd.order_id)
            assert order.id is not None
            payment = Payment(order.id, ctx.payments.name, order.total, order.currency, ctx.now(), session.expires_at)
            payment.session_id, payment.url = session.session_id, session.url
            await uow.sales.add_payment(payment)
            uow.publish(
                events.PaymentLinkCreated(order.id, order.customer_id, session.url, session.expires_at.isoformat())
            )
            await uow.commit()
    return PaymentLink(cmd.order_id, session.url, session.expires_at, ctx.payments.name)


async def confirm_payment(cmd: c.ConfirmPayment, ctx: Context) -> str:
    """The provider says the money was captured. Safe to replay; returns the order's status."""
    async with ctx.uow() as uow:
        payment = await uow.sales.payment_by_session(cmd.provider, cmd.session_id, lock=True)
        if payment is None or payment.id is None:
            raise NotFound(f"No {cmd.provider} payment session {cmd.session_id}.")
        order = await load_order(uow, payment.order_id)
        assert order.id is not None
        if payment.status == PaymentStatus.SUCCEEDED:
            return order.status.value
        if cmd.currency.upper() != order.currency or cmd.amount != payment.amount:
            raise ValidationFailed(
                f"Payment {cmd.session_id} captured {cmd.amount} {cmd.currency.upper()}, "
                f"expected {payment.amount} {order.currency}."
            )
        now = ctx.now()
        payment.status, payment.completed_at = PaymentStatus.SUCCEEDED, now
        payment.provider_payment_id = cmd.provider_payment_id
        if order.status == OrderStatus.PENDING_PAYMENT:
            previous_paid = await uow.sales.paid_orders_of(order.customer_id)
            await inventory.allocate_reserved(uow, order.id, now)
            order.mark_paid(cmd.amount, now)
            uow.publish(events.OrderPaid(order.id, order.customer_id, order.channel, order.total, order.currency))
            uow.publish(
                events.OrderStatusChanged(
                    order.id,
                    order.customer_id,
                    OrderStatus.PENDING_PAYMENT.value,
                    OrderStatus.PAID.value,
                    f"payment:{cmd.provider}",
                )
            )
            reasons = ctx.approvals.reasons(order, previous_paid)
            if reasons:
                order.transition(OrderStatus.AWAITING_APPROVAL, now)
                order.approval_reasons = reasons
                uow.publish(events.OrderNeedsApproval(order.id, order.customer_id, tuple(reasons)))
                uow.publish(
                    events.OrderStatusChanged(
                        order.id, order.customer_id, OrderStatus.PAID.value, order.status.value, "approval rules"
                    )
                )
            await uow.sales.add_analytics(
                AnalyticsEvent(
                    EventName.ORDER_PAID.value,
                    now,
                    customer_id=order.customer_id,
                    channel=order.channel,
                    order_id=order.id,
                    value=order.total,
                )
            )
        else:
            # Money arrived for an order that is no longer waiting for it (the link expired first, or it was
            # cancelled). The stock is gone, so the money goes back rather than shipping what we don't hold.
            order.captured += cmd.amount
            await _open_refund(
                uow, order, cmd.amount, "payment arrived after the order was closed", Actor.system("payments"), now
            )
        await uow.commit()
        return order.status.value


async def fail_payment(cmd: c.FailPayment, ctx: Context) -> str:
    """The provider says the payment failed or the session expired: release stock at once."""
    async with ctx.uow() as uow:
        payment = await uow.sales.payment_by_session(cmd.provider, cmd.session_id, lock=True)
        if payment is None:
            raise NotFound(f"No {cmd.provider} payment session {cmd.session_id}.")
        order = await load_order(uow, payment.order_id)
        if payment.is_final:
            return order.status.value  # a success (or earlier failure) already decided this session
        now = ctx.now()
        payment.status = PaymentStatus.EXPIRED if cmd.expired else PaymentStatus.FAILED
        payment.failure_reason, payment.completed_at = cmd.reason[:500], now
        if order.status == OrderStatus.PENDING_PAYMENT:
            reason = "payment link expired" if cmd.expired else f"payment failed: {cmd.reason}"[:200]
            await end_unpaid_order(uow, order, reason, now, expired=cmd.expired)
        await uow.commit()
        return order.status.value


async def process_refund(refund_id: int, ctx: Context) -> str:
    """Phase two of a refund: ask the provider (idempotent by refund id), then book the outcome."""
    async with ctx.uow() as uow:
        refund = await uow.sales.refund(refund_id)
        if refund is None:
            raise NotFound(f"No refund {refund_id}.")
        if refund.status != RefundStatus.PENDING:
            return refund.status.value
        payment = await uow.sales.payment(refund.payment_id)
        if payment is None or payment.session_id is None:
            raise NotFound(f"Refund {refund_id} has no payment to refund.")
        request = RefundRequest(
            payment.session_id,
            payment.provider_payment_id,
            refund.amount,
            refund.currency,
            f"refund-{refund.id}",
            refund.reason,
        )
    result = await ctx.payments.refund(request)
    async with ctx.uow() as uow:
        refund = await uow.sales.refund(refund_id, lock=True)
        assert refund is not None
        if refund.status != RefundStatus.PENDING:
            return refund.status.value
        order = await load_order(uow, refund.order_id)
        assert order.id is not None
        now = ctx.now()
        refund.completed_at = now
        refund.provider_refund_id = result.refund_id or None
        if result.succeeded:
            refund.status = RefundStatus.SUCCEEDED
            held = order.status in HOLDS_STOCK
            old = order.status
            order.record_refund(refund.amount, now)
            if held and order.status == OrderStatus.REFUNDED:
                await inventory.release_holds(uow, order.id, "refunded before shipping", now)
            uow.publish(events.RefundSucceeded(order.id, order.customer_id, refund_id, refund.amount, refund.currency))
            if order.status != old:
                uow.publish(
                    events.OrderStatusChanged(order.id, order.customer_id, old.value, order.status.value, refund.actor)
                )
        else:
            refund.status = RefundStatus.FAILED
            refund.failure_reason = (result.failure_reason or "refused by the provider")[:500]
            uow.publish(events.RefundFailed(order.id, refund_id, refund.failure_reason))
        await uow.commit()
        return refund.status.value


async def retry_pending_refunds(ctx: Context, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Finish refunds a crash left pending (the provider dedupes by the same idempotency key)."""
    async with ctx.uow() as uow:
        refund_ids = await uow.sales.stale_pending_refunds(ctx.now() - older_than)
    for refund_id in refund_ids:
        await process_refund(refund_id, ctx)
    return len(refund_ids)
