"""Refunds that fail or need a person reach staff in the ops channel, and money that came twice is told.

A failed refund (the provider said no) is posted with a Retry button; a refund the shop can't ask for (a
Telegram in-chat payment) is a "Refund needed" task with a Mark refunded button; an extra payment is an
info notice. Each is posted once per outbox event, and what came from outside is escaped for mrkdwn.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from domain import commands as c
from domain.adapters import orm
from domain.model.staff import Actor, Role
from domain.service_layer.handlers.payments import PaymentLink
from domain.service_layer.handlers.telegram_payments import ChatInvoice
from tests.integration.slack.conftest import APPROVER, OPERATOR, OPS, SlackShop
from tests.integration.slack.test_approvals import _buttons, _texts
from tests.support.shopdata import SmallShop


async def _refunds(slack: SlackShop, order_id: int) -> list[tuple[int, str]]:
    t = orm.refunds.c
    async with slack.shop.sessions() as session:
        rows = await session.execute(select(t.amount, t.status).where(t.order_id == order_id).order_by(t.id))
        return [(int(r[0]), str(r[1])) for r in rows]


def _posted(slack: SlackShop, kind: str) -> list[dict[str, Any]]:
    """Notices of ``kind`` in the ops channel, oldest first (as Slack holds them now, updates included)."""
    return [
        m
        for m in slack.fake.history.get(OPS, [])
        if (m.get("metadata") or {}).get("event_payload", {}).get("kind") == kind
    ]


async def _refund_from_slack(slack: SlackShop, order_id: int, amount: str, reason: str) -> str:
    """An approver refunds through the order card's modal; returns what they are told."""
    await slack.send.click("order_refund", str(order_id), APPROVER, OPS)
    modal = (await slack.fake.wait_for("views.open", lambda a: a["view"]["callback_id"] == "refund_order")).args["view"]
    await slack.send.submit(modal, {"amount": amount, "reason": reason}, APPROVER)
    told = await slack.fake.wait_for(
        "chat.postEphemeral", lambda a: a["user"] == APPROVER and a["text"].startswith("Refund of")
    )
    return str(told.args["text"])


async def _paid_in_telegram(small: SmallShop, charge: str = "tg-charge-1") -> tuple[int, ChatInvoice]:
    """An order paid with a Telegram invoice, as the bot books ``successful_payment``."""
    order_id = await small.checkout(await small.customer(), quantity=1)
    invoice = await small.shop.bus.handle(c.OpenChatPayment(order_id, actor=c.SYSTEM))
    assert isinstance(invoice, ChatInvoice)
    await small.shop.bus.handle(c.ConfirmPayment("telegram", invoice.session_id, invoice.amount, "USD", charge))
    return order_id, invoice


# --- a refund that needs a person -------------------------------------------------------------------
async def test_a_telegram_payment_refund_is_a_refund_needed_task_marked_done_from_its_modal(slack: SlackShop) -> None:
    order_id, _ = await _paid_in_telegram(slack.small, charge="6033_tg<charge>")
    told = await _refund_from_slack(slack, order_id, "12.50", "<!channel> wrong size & colour")
    assert told == (
        f"Refund of 12.50 USD on order #{order_id}: it must be refunded by hand at the provider that took the "
        "payment; the task is in the ops channel."
    )
    await slack.shop.outbox.drain()
    await slack.shop.outbox.drain()  # a redelivery finds its message: posted once
    [task] = _posted(slack, "refund_needed")
    text = _texts(task["blocks"])
    assert f"Refund needed: order #{order_id}" in text
    assert "Refund *12.50 USD* by hand: it was paid through *telegram*" in text
    assert "*Charge id:* `6033_tg&lt;charge&gt;`" in text
    assert "*Why:* &lt;!channel&gt; wrong size &amp; colour" in text
    assert "@BotFather" in text
    [(action, refund_id)] = _buttons(task["blocks"])
    assert action == "refund_mark_done"
    assert task["metadata"]["event_payload"]["refund_id"] == int(refund_id)
    assert await _refunds(slack, order_id) == [(1250, "needs_action")]

    await slack.send.click("refund_mark_done", refund_id, APPROVER, OPS, task["ts"])
    modal = (await slack.fake.wait_for("views.open", lambda a: a["view"]["callback_id"] == "refund_mark_done")).args[
        "view"
    ]
    empty = await slack.send.submit(modal, {"reference": " "}, APPROVER)
    assert empty.json()["response_action"] == "errors"
    sent = await slack.send.submit(modal, {"reference": "re_3Q <b>"}, APPROVER)
    assert sent.status == 200
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == task["ts"])
    done = _texts(update.args["blocks"])
    assert f"Refunded by <@{APPROVER}> at 2026-11-02 12:00 UTC, ref re_3Q &lt;b&gt;" in done
    assert "*Charge id:* `6033_tg&lt;charge&gt;`" in done  # the task keeps what it said
    assert _buttons(update.args["blocks"]) == []
    assert update.args["metadata"] == task["metadata"]
    assert await _refunds(slack, order_id) == [(1250, "succeeded")]
    order = await slack.shop.views.order(order_id)
    assert order is not None and order.refunded == 1250

    await slack.shop.outbox.drain()  # RefundSucceeded: the task already says who booked it; left as it is
    assert len(slack.fake.called("chat.update")) == 1
    await slack.send.submit(modal, {"reference": "re_3Q <b>"}, APPROVER)  # the same form again: booked once
    await slack.eventually(lambda: _updates(slack, task["ts"], 2))
    assert await _refunds(slack, order_id) == [(1250, "succeeded")]
    order = await slack.shop.views.order(order_id)
    assert order is not None and order.refunded == 1250


async def _updates(slack: SlackShop, ts: str, count: int) -> bool:
    return len([u for u in slack.fake.called("chat.update") if u.args["ts"] == ts]) >= count


async def test_a_refund_marked_done_outside_slack_updates_its_task(slack: SlackShop) -> None:
    order_id, _ = await _paid_in_telegram(slack.small)
    await _refund_from_slack(slack, order_id, "", "wrong size")
    await slack.shop.outbox.drain()
    [task] = _posted(slack, "refund_needed")
    [(_, refund_id)] = _buttons(task["blocks"])
    # As ``chatshop order refund-done ID --reference …`` does: the same command, an actor not in Slack.
    await slack.shop.bus.handle(c.MarkRefundDone(int(refund_id), "R-9 <x>", actor=Actor.staff("carl", Role.ADMIN)))
    await slack.shop.outbox.drain()
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == task["ts"])
    assert "Refunded by carl at 2026-11-02 12:00 UTC, ref R-9 &lt;x&gt;" in _texts(update.args["blocks"])
    assert _buttons(update.args["blocks"]) == []
    await slack.shop.outbox.drain()
    assert len(slack.fake.called("chat.update")) == 1


async def test_only_an_approver_may_mark_a_refund_done(slack: SlackShop) -> None:
    order_id, _ = await _paid_in_telegram(slack.small)
    await _refund_from_slack(slack, order_id, "", "wrong size")
    await slack.shop.outbox.drain()
    [task] = _posted(slack, "refund_needed")
    [(_, refund_id)] = _buttons(task["blocks"])
    await slack.send.click("refund_mark_done", refund_id, OPERATOR, OPS, task["ts"])
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert refusal.args["text"] == "An operator may not refund payments; it takes an approver."
    assert [v for v in slack.fake.called("views.open") if v.args["view"]["callback_id"] == "refund_mark_done"] == []
    # The form itself, opened by an approver and submitted by the operator: refused by the domain.
    await slack.send.click("refund_mark_done", refund_id, APPROVER, OPS, task["ts"])
    modal = (await slack.fake.wait_for("views.open", lambda a: a["view"]["callback_id"] == "refund_mark_done")).args[
        "view"
    ]
    slack.fake.calls.clear()
    await slack.send.submit(modal, {"reference": "re_1"}, OPERATOR)
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert refusal.args["text"] == "An operator may not refund payments; it takes an approver."
    assert await _refunds(slack, order_id) == [(8500, "needs_action")]
    assert slack.fake.called("chat.update") == []


# --- money that came twice ----------------------------------------------------------------------------
async def test_a_telegram_payment_after_the_link_was_paid_is_announced_and_raises_a_refund_task(
    slack: SlackShop,
) -> None:
    small = slack.small
    order_id = await small.checkout(await small.customer(), quantity=1)
    invoice = await small.shop.bus.handle(c.OpenChatPayment(order_id, actor=c.SYSTEM))
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    assert isinstance(invoice, ChatInvoice) and isinstance(link, PaymentLink)
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, invoice.amount, "USD", session_id))
    await small.shop.bus.handle(c.ConfirmPayment("telegram", invoice.session_id, invoice.amount, "USD", "tg-2"))
    await small.shop.outbox.drain()
    await small.shop.outbox.drain()
    [notice] = _posted(slack, "extra_payment")
    assert notice["text"] == (
        f"Order #{order_id} was paid twice: 85.00 USD via telegram; it must be refunded by hand "
        "(a Refund needed task follows)."
    )
    [task] = _posted(slack, "refund_needed")
    assert "*Charge id:* `tg-2`" in _texts(task["blocks"])


async def test_a_link_paid_after_the_order_was_cancelled_is_announced_and_refunded_automatically(
    slack: SlackShop,
) -> None:
    small = slack.small
    order_id = await small.checkout(await small.customer(), quantity=1)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    assert isinstance(link, PaymentLink)
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")  # the shopper paid as the order was being cancelled
    await small.shop.bus.cancel(c.CancelOrder(order_id, "changed my mind", actor=c.SYSTEM))
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, 8500, "USD", session_id))
    await small.shop.outbox.drain()
    await small.shop.outbox.drain()
    [notice] = _posted(slack, "extra_payment")
    assert notice["text"] == (
        f"Order #{order_id} was paid after it was cancelled: 85.00 USD via sandbox; refunding it automatically."
    )
    assert _posted(slack, "refund_needed") == []
