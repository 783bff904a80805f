"""Every order of (Telegram payment, payment-link payment, shopper cancel, reservation expiry) on one order.

Whatever the order, and whether the outbox runs between the steps or only at the end, the books balance:
captured − refunded − refunds waiting for a person = what the order keeps (its total if it lives, nothing if
it ended), every payment but the one that paid the order goes back (refunded or handed to staff), no refund
exceeds its payment, and each shopper notice is queued once.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from itertools import permutations

import pytest
from sqlalchemy import select

from domain import commands as c
from domain.adapters import orm
from domain.errors import DomainError
from domain.model.staff import Actor
from domain.service_layer.handlers.telegram_payments import ChatInvoice
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

STEPS = ("telegram", "link", "cancel", "expire")
SCHEDULES = [(steps, drain) for steps in permutations(STEPS) for drain in ("each step", "at the end")]
ONCE_PER_ORDER = ("OrderPaid", "OrderCancelled", "ReservationExpired", "PaymentFailed")


async def run(small: SmallShop, clock: FakeClock, steps: tuple[str, ...], drain_each: bool, n: int) -> int:
    shop, bus = small.shop, small.shop.bus
    customer = await small.customer(f"shopper-{n}")
    order_id = await small.checkout(customer, "MUG-WHT", 1)
    link = await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    invoice = await bus.handle(c.OpenChatPayment(order_id, actor=c.SYSTEM))
    assert isinstance(invoice, ChatInvoice)
    # Telegram's pre-checkout came first and was accepted: from then on Telegram may deliver the money at any
    # point, whatever happened to the order meanwhile (the adversarial case).
    assert await bus.handle(c.CheckChatPayment("telegram", invoice.session_id, invoice.amount, "USD")) is None
    link_session = link.url.rsplit("/", 1)[1]
    for step in steps:
        if step == "telegram":
            await bus.handle(c.ConfirmPayment("telegram", invoice.session_id, invoice.amount, "USD", f"ch-{n}"))
        elif step == "link":
            session = await shop.sandbox.settle(link_session, "paid")
            if session.status == "paid":
                await bus.handle(c.ConfirmPayment("sandbox", session.id, session.amount, session.currency))
        elif step == "cancel":
            # Not cancellable any more (already cancelled) is refused; the shopper is told so in the chat.
            with contextlib.suppress(DomainError):
                await bus.cancel(c.CancelOrder(order_id, "changed my mind", actor=Actor.shopper(customer)))
        else:
            clock.advance(minutes=16)
            await bus.handle(c.ExpireReservations())
        if drain_each:
            await shop.outbox.drain()
    while await shop.outbox.drain():
        pass
    return order_id


@pytest.mark.parametrize(("steps", "drain"), SCHEDULES, ids=[f"{'-'.join(s)}/{d}" for s, d in SCHEDULES])
async def test_an_order_paid_two_ways_balances_in_every_interleaving(
    small: SmallShop, clock: FakeClock, steps: tuple[str, ...], drain: str
) -> None:
    order_id = await run(small, clock, steps, drain == "each step", 1)
    order = await small.shop.views.order(order_id)
    assert order is not None
    p, r, o = orm.payments.c, orm.refunds.c, orm.outbox.c
    async with small.shop.sessions() as session:
        payments = (await session.execute(select(p.id, p.amount, p.status).where(p.order_id == order_id))).all()
        refunds = (await session.execute(select(r.payment_id, r.amount, r.status).where(r.order_id == order_id))).all()
        events = (await session.execute(select(o.name, o.payload))).all()
    captured = [pay for pay in payments if str(pay.status) == "succeeded"]
    by_status = Counter()  # type: Counter[str]
    for refund in refunds:
        by_status[str(refund.status)] += refund.amount
    assert set(by_status) <= {"succeeded", "needs_action"}, refunds  # nothing failed or stuck pending
    assert order.captured == sum(pay.amount for pay in captured)
    assert order.refunded == by_status["succeeded"]
    ended = order.cancel_reason is not None  # cancelled or expired (its status may since read "refunded")
    keeps = 0 if ended else order.total
    assert order.captured - by_status["succeeded"] - by_status["needs_action"] == keeps
    for pay in payments:  # no refund exceeds what its payment captured
        assert sum(ref.amount for ref in refunds if ref.payment_id == pay.id) <= pay.amount
    kept = [pay for pay in captured if sum(ref.amount for ref in refunds if ref.payment_id == pay.id) == 0]
    assert len(kept) == (1 if keeps else 0)  # every other payment went back, or is with staff to send back
    mine = Counter(name for name, payload in events if payload.get("order_id") == order_id)
    for name in ONCE_PER_ORDER:
        assert mine[name] <= 1, (name, mine)
    # The first payment pays the order (if it was still waiting); each one after it is extra money.
    assert mine["ExtraPaymentReceived"] == len(captured) - (1 if order.paid_at is not None else 0)
    assert mine["RefundFailed"] == 0
