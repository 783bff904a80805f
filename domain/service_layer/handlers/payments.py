"""Payment commands. Provider calls happen between transactions, never inside one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import commands as c
from domain import events
from domain.errors import IllegalTransition, NotFound, PaymentExpired, ValidationFailed
from domain.model import AnalyticsEvent, Order, Payment, Refund
from domain.model.analytics import EventName
from domain.model.inventory import ReservationStatus
from domain.model.orders import HOLDS_STOCK, OrderStatus
from domain.model.payments import PaymentStatus, RefundStatus
from domain.model.staff import Actor, Permission
from domain.ports import PaymentLineItem, PaymentSessionRequest, RefundRequest
from domain.service_layer.context import Context
from domain.service_layer.handlers import inventory
from domain.service_layer.handlers.orders import close_open_payments, end_unpaid_order, load_order, open_refunds
from domain.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class PaymentLink:
    order_id: int
    url: str
    expires_at: datetime
    provider: str


async def start_payment(cmd: c.StartPayment, ctx: Context) -> PaymentLink:
    """Get (or reuse) a payment session for a pending order; it expires with the stock reservation."""
    async with ctx.uow().reading() as uow:  # phase 1 only looks: no write lock while the provider is asked
        order = await load_order(uow, cmd.order_id, lock=False)
        assert order.id is not None
        cmd.actor.require_owner_or(order.customer_id, Permission.VIEW)
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
            await _hold_until(uow, order, session.expires_at)
            uow.publish(
                events.PaymentLinkCreated(order.id, order.customer_id, session.url, session.expires_at.isoformat())
            )
            await uow.commit()
    return PaymentLink(cmd.order_id, session.url, session.expires_at, ctx.payments.name)


async def _hold_until(uow: UnitOfWork, order: Order, expires_at: datetime) -> None:
    """A provider whose page lives longer than the hold (Stripe's 30-minute minimum) extends the hold to match,
    so a shopper paying on that page never pays for stock already given back."""
    assert order.id is not None
    if order.status != OrderStatus.PENDING_PAYMENT or order.reservation_expires_at is None:
        return
    if expires_at <= order.reservation_expires_at:
        return
    order.reservation_expires_at = expires_at
    for reservation in await uow.inventory.reservations_of(order.id):
        if reservation.status == ReservationStatus.ACTIVE:
            reservation.expires_at = expires_at


async def confirm_payment(cmd: c.ConfirmPayment, ctx: Context) -> str:
    """The provider says the money was captured. Safe to replay; returns the order's status.

    Whatever order things happen in, money is never kept twice: the first payment to succeed pays the order
    and closes the order's other open sessions; any payment that still arrives (a second session, a second
    charge on the same invoice, a payment after the order was cancelled or expired) is recorded as received
    and a refund of exactly that payment is opened in the same transaction.
    """
    async with ctx.uow() as uow:
        payment = await uow.sales.payment_by_session(cmd.provider, cmd.session_id, lock=True)
        if payment is None or payment.id is None:
            raise NotFound(f"No {cmd.provider} payment session {cmd.session_id}.")
        order = await load_order(uow, payment.order_id)
        assert order.id is not None
        now = ctx.now()
        if payment.status == PaymentStatus.SUCCEEDED:
            charge = cmd.provider_payment_id
            if not charge or charge == payment.provider_payment_id:
                return order.status.value  # a replay of what we booked
            # The same session took money a second time under another charge (a Telegram invoice paid
            # twice): a payment of its own, sent back.
            payment = await _second_charge(uow, payment, charge, cmd, now)
        elif cmd.currency.upper() != order.currency or cmd.amount != payment.amount:
            raise ValidationFailed(
                f"Payment {cmd.session_id} captured {cmd.amount} {cmd.currency.upper()}, "
                f"expected {payment.amount} {order.currency}."
            )
        else:
            payment.status, payment.completed_at = PaymentStatus.SUCCEEDED, now
            payment.provider_payment_id = cmd.provider_payment_id
            payment.failure_reason = None
        if order.status == OrderStatus.PENDING_PAYMENT:
            await _pay_order(uow, order, payment, cmd.provider, ctx, now)
        else:
            # Money arrived for an order that no longer waits for it: keep none of it.
            assert payment.id is not None
            order.captured += payment.amount
            uow.publish(
                events.ExtraPaymentReceived(
                    order.id,
                    order.customer_id,
                    payment.id,
                    payment.provider,
                    payment.amount,
                    payment.currency,
                    order.status.value,
                )
            )
            reason = (
                "paid twice: the order was already paid"
                if order.paid_at is not None and order.status != OrderStatus.CANCELLED
                else f"payment arrived after the order was {order.status.value.replace('_', ' ')}"
            )
            await open_refunds(
                uow, order, payment.amount, reason, Actor.system("payments"), now, payment=payment, automatic=True
            )
        await uow.commit()
        return order.status.value


async def _second_charge(uow: UnitOfWork, first: Payment, charge: str, cmd: c.ConfirmPayment, now: datetime) -> Payment:
    assert first.id is not None
    session_id = f"{first.session_id}/{charge}"[:255]
    existing = await uow.sales.payment_by_session(first.provider, session_id, lock=True)
    if existing is not None:
        return existing  # replayed second charge: booked already
    if cmd.currency.upper() != first.currency:
        raise ValidationFailed(f"Charge {charge} is in {cmd.currency.upper()}, the order in {first.currency}.")
    payment = Payment(first.order_id, first.provider, cmd.amount, first.currency, now, None)
    payment.session_id, payment.provider_payment_id = session_id, charge
    payment.status, payment.completed_at = PaymentStatus.SUCCEEDED, now
    await uow.sales.add_payment(payment)
    return payment


async def _pay_order(
    uow: UnitOfWork, order: Order, payment: Payment, provider: str, ctx: Context, now: datetime
) -> None:
    assert order.id is not None
    previous_paid = await uow.sales.paid_orders_of(order.customer_id)
    await inventory.allocate_reserved(uow, order.id, now)
    order.mark_paid(payment.amount, now)
    await close_open_payments(uow, order, f"order paid through {provider}", now)
    uow.publish(events.OrderPaid(order.id, order.customer_id, order.channel, order.total, order.currency))
    uow.publish(
        events.OrderStatusChanged(
            order.id,
            order.customer_id,
            OrderStatus.PENDING_PAYMENT.value,
            OrderStatus.PAID.value,
            f"payment:{provider}",
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
    """Phase two of a refund: ask the provider that took the payment (idempotent by refund id), then book
    the outcome. A provider the shop can't ask (Telegram in-chat payments) makes it a task for a person."""
    async with ctx.uow() as uow:
        refund = await uow.sales.refund(refund_id)
        if refund is None:
            raise NotFound(f"No refund {refund_id}.")
        if refund.status != RefundStatus.PENDING:
            return refund.status.value
        payment = await uow.sales.payment(refund.payment_id)
        if payment is None or payment.session_id is None:
            raise NotFound(f"Refund {refund_id} has no payment to refund.")
        provider_name = payment.provider
        charge = payment.provider_payment_id or payment.session_id
        provider = ctx.provider(provider_name)
        request = RefundRequest(
            payment.session_id,
            payment.provider_payment_id,
            refund.amount,
            refund.currency,
            f"refund-{refund.id}",
            refund.reason,
        )
    result = await provider.refund(request) if provider is not None else None
    async with ctx.uow() as uow:
        refund = await uow.sales.refund(refund_id, lock=True)
        assert refund is not None and refund.id is not None
        if refund.status != RefundStatus.PENDING:
            return refund.status.value
        order = await load_order(uow, refund.order_id)
        assert order.id is not None
        now = ctx.now()
        if result is None:
            refund.status = RefundStatus.NEEDS_ACTION
            refund.failure_reason = f"{provider_name} payments can't be refunded from the shop: refund it there"
            uow.publish(
                events.RefundNeedsAction(
                    order.id,
                    order.customer_id,
                    refund.id,
                    provider_name,
                    charge,
                    refund.amount,
                    refund.currency,
                    refund.reason,
                )
            )
        elif result.succeeded:
            refund.completed_at = now
            refund.provider_refund_id = result.refund_id or None
            refund.status = RefundStatus.SUCCEEDED
            await _book_refund(uow, order, refund, now)
        else:
            refund.completed_at = now
            refund.status = RefundStatus.FAILED
            refund.failure_reason = (result.failure_reason or "refused by the provider")[:500]
            uow.publish(
                events.RefundFailed(
                    order.id,
                    refund.id,
                    refund.failure_reason,
                    order.customer_id,
                    refund.amount,
                    refund.currency,
                    provider_name,
                )
            )
        await uow.commit()
        return refund.status.value


async def retry_refund(cmd: c.RetryRefund, ctx: Context) -> int:
    """A failed refund is tried again as a new refund of the same payment and amount (a new idempotency key:
    a provider remembers its "no" for the old one). Retrying it twice returns the same new refund."""
    cmd.actor.require(Permission.REFUND)
    async with ctx.uow() as uow:
        failed = await uow.sales.refund(cmd.refund_id, lock=True)
        if failed is None or failed.id is None:
            raise NotFound(f"No refund {cmd.refund_id}.")
        key = f"retry-of-{failed.id}"
        again = await uow.sales.refund_by_key(key)
        if again is not None and again.id is not None:
            return again.id
        if failed.status != RefundStatus.FAILED:
            raise ValidationFailed(f"Refund {failed.id} is {failed.status.value}; only a failed refund is retried.")
        order = await load_order(uow, failed.order_id)
        payment = await uow.sales.payment(failed.payment_id)
        if payment is None:
            raise NotFound(f"Refund {failed.id} has no payment to refund.")
        order.check_refund(failed.amount + await uow.sales.pending_refund_total(failed.order_id))
        [refund_id] = await open_refunds(
            uow, order, failed.amount, failed.reason, cmd.actor, ctx.now(), key=key, payment=payment
        )
        await uow.commit()
        return refund_id


async def mark_refund_done(cmd: c.MarkRefundDone, ctx: Context) -> str:
    """A person refunded a payment at its provider by hand: book it as the provider's yes would be."""
    cmd.actor.require(Permission.REFUND)
    reference = cmd.reference.strip()
    if not reference:
        raise ValidationFailed("Say what was done (the provider's refund id or a note); it is kept with the refund.")
    async with ctx.uow() as uow:
        refund = await uow.sales.refund(cmd.refund_id, lock=True)
        if refund is None:
            raise NotFound(f"No refund {cmd.refund_id}.")
        if refund.status == RefundStatus.SUCCEEDED:
            return refund.status.value  # marked already (a double click)
        if refund.status != RefundStatus.NEEDS_ACTION:
            raise ValidationFailed(
                f"Refund {refund.id} is {refund.status.value}; only one waiting for a person is marked."
            )
        order = await load_order(uow, refund.order_id)
        now = ctx.now()
        refund.status, refund.completed_at = RefundStatus.SUCCEEDED, now
        refund.provider_refund_id = f"manual:{reference}"[:255]
        refund.failure_reason = None
        refund.actor = f"{refund.actor} / {cmd.actor.name}"[:120]
        await _book_refund(uow, order, refund, now)
        await uow.commit()
        return refund.status.value


async def retry_pending_refunds(ctx: Context, older_than: timedelta = timedelta(minutes=1)) -> int:
    """Finish refunds a crash left pending (the provider dedupes by the same idempotency key)."""
    async with ctx.uow() as uow:
        refund_ids = await uow.sales.stale_pending_refunds(ctx.now() - older_than)
    for refund_id in refund_ids:
        await process_refund(refund_id, ctx)
    return len(refund_ids)


# --- provider webhooks (Stripe) --------------------------------------------------------------------
# process_refund asks the provider with the key f"refund-{id}"; a provider's refund carrying it is ours.
_OUR_REFUND_KEY = re.compile(r"refund-(\d+)")


async def claim_provider_event(cmd: c.ClaimProviderEvent, ctx: Context) -> bool:
    """True the first time a provider's event id is seen; it is remembered unless ``peek``."""
    async with ctx.uow() as uow:
        first = await uow.claim_once(f"{cmd.provider}-webhook", cmd.event_id)
        if first and not cmd.peek:
            await uow.commit()
        return first


async def record_payment_attempt_failed(cmd: c.RecordPaymentAttemptFailed, ctx: Context) -> str:
    """A declined card on a page that stays open: note it, keep the order and its stock hold.

    The shopper can try another card on the same page until it expires; its expiry (FailPayment with
    ``expired``) is what ends the order. Ending it now would release stock the shopper may still pay for.
    """
    async with ctx.uow() as uow:
        order = await load_order(uow, cmd.order_id)
        for candidate in reversed(await uow.sales.payments_of(cmd.order_id)):
            if candidate.provider != cmd.provider or candidate.status != PaymentStatus.PENDING:
                continue
            if candidate.session_id is None:
                continue
            payment = await uow.sales.payment_by_session(cmd.provider, candidate.session_id, lock=True)
            if payment is None or payment.is_final:
                continue  # decided while we looked (paid or expired): nothing to note
            payment.failure_reason = cmd.reason[:500]
            if cmd.provider_payment_id:
                payment.provider_payment_id = cmd.provider_payment_id
            uow.publish(events.PaymentAttemptFailed(cmd.order_id, order.customer_id, cmd.provider, cmd.reason[:200]))
            await uow.sales.add_analytics(
                AnalyticsEvent(
                    "payment_attempt_failed",
                    ctx.now(),
                    customer_id=order.customer_id,
                    channel=order.channel,
                    order_id=cmd.order_id,
                    value=payment.amount,
                    properties={"provider": cmd.provider, "reason": cmd.reason[:200]},
                )
            )
            await uow.commit()
            break
        return order.status.value


async def record_provider_refunds(cmd: c.RecordProviderRefunds, ctx: Context) -> int:
    """Book the provider's refunds of a payment that we have not booked yet; returns how many were new.

    Matched by the provider's refund id first, then by our idempotency key (a refund we asked for whose
    answer we have not booked yet), so a refund is never counted twice. The rest were made outside the
    shop (the provider's dashboard) and are booked as succeeded, keeping ``order.refunded`` equal to the
    provider's refunded amount.
    """
    async with ctx.uow() as uow:
        payment = await uow.sales.payment_by_provider_payment_id(cmd.provider, cmd.provider_payment_id, lock=True)
        if payment is None or payment.id is None:
            raise NotFound(f"No {cmd.provider} payment {cmd.provider_payment_id}.")
        if payment.status != PaymentStatus.SUCCEEDED:
            # The refund's news overtook the payment's: fail, so the provider delivers it again later.
            raise ValidationFailed(f"Payment {cmd.provider_payment_id} is not booked as captured yet.")
        order = await load_order(uow, payment.order_id)
        now = ctx.now()
        booked = 0
        for seen in cmd.refunds:
            if seen.currency.upper() != order.currency:
                raise ValidationFailed(f"Refund {seen.refund_id} is in {seen.currency}, the order in {order.currency}.")
            if await uow.sales.refund_by_provider_id(seen.refund_id) is not None:
                continue
            ours = _OUR_REFUND_KEY.fullmatch(seen.request_key or "")
            refund = await uow.sales.refund(int(ours.group(1)), lock=True) if ours else None
            if refund is not None and refund.payment_id == payment.id:
                if refund.status != RefundStatus.PENDING:
                    continue  # ours, already decided under another id: leave it to the operators
            else:
                refund = Refund(
                    order.id or 0,
                    payment.id,
                    seen.amount,
                    order.currency,
                    f"refunded outside the shop ({cmd.provider} dashboard)",
                    f"{cmd.provider}:dashboard",
                    now,
                )
                await uow.sales.add_refund(refund)
            refund.amount = seen.amount
            refund.status, refund.provider_refund_id, refund.completed_at = RefundStatus.SUCCEEDED, seen.refund_id, now
            await _book_refund(uow, order, refund, now)
            booked += 1
        await uow.commit()
        return booked


async def _book_refund(uow: UnitOfWork, order: Order, refund: Refund, now: datetime) -> None:
    """What process_refund does when the provider says yes: count it, free stock on a full refund, tell."""
    assert order.id is not None and refund.id is not None
    held = order.status in HOLDS_STOCK
    old = order.status
    order.record_refund(refund.amount, now)
    if held and order.status == OrderStatus.REFUNDED:
        await inventory.release_holds(uow, order.id, "refunded before shipping", now)
    everything = order.refunded >= order.captured
    uow.publish(
        events.RefundSucceeded(order.id, order.customer_id, refund.id, refund.amount, refund.currency, everything)
    )
    if order.status != old:
        uow.publish(events.OrderStatusChanged(order.id, order.customer_id, old.value, order.status.value, refund.actor))


# --- after commit, from the outbox ---------------------------------------------------------------------
async def close_session_at_provider(event: events.PaymentSessionClosed, ctx: Context) -> None:
    """Ask the provider to stop the session taking money. A provider we can't ask (a Telegram invoice) is
    covered by the pre-checkout re-check, which refuses a closed payment."""
    provider = ctx.provider(event.provider)
    if provider is not None:
        await provider.close_session(event.session_id)


async def refund_automatically(event: events.RefundRequested, ctx: Context) -> None:
    """Refunds the shop opened itself (money that came twice or late) are asked for at once. Refunds that a
    person asked for are processed by the command that opened them (``MessageBus.refund``) and, after a
    crash, by the retry job."""
    if event.automatic:
        await process_refund(event.refund_id, ctx)


PAYMENT_SUBSCRIBERS = {
    "payments-close-sessions": (close_session_at_provider, events.PaymentSessionClosed),
    "payments-refunds": (refund_automatically, events.RefundRequested),
}
