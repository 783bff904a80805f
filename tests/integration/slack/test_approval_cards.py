"""Approval cards say what is being decided and what happened: the outcome in the header, the customer's
history before this order, how it was paid and where it goes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from domain import commands as c
from domain.adapters import orm
from domain.model.staff import Actor, Role
from tests.integration.slack.conftest import APPROVER, OPS, SlackShop, paid_order
from tests.integration.slack.test_approvals import _buttons, _texts


async def _card(slack: SlackShop, order_id: int) -> dict:
    await slack.shop.outbox.drain()
    call = await slack.fake.wait_for(
        "chat.postMessage",
        lambda a: a.get("channel") == OPS and (a.get("metadata") or {}).get("event_payload") == {"order_id": order_id},
    )
    return call.args


async def test_a_first_order_says_so_with_payment_and_destination_and_no_repeated_id(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small)
    card = await _card(slack, order_id)
    header = card["blocks"][0]["text"]["text"]
    assert header == f":hourglass_flowing_sand: Order #{order_id} needs approval"
    text = _texts(card["blocks"])
    assert "*Customer*\nAnn\n:new: *First order*" in text
    assert "(#" not in text.split("*Ship to*")[0]  # no customer id repeated beside the name
    payment = (
        "*Payment and risk*\nPaid via sandbox (160.00 USD) · account made today · ships to US · ordered in webchat"
    )
    assert payment in text


async def test_the_card_gives_the_account_age_and_a_first_order_after_unpaid_tries_is_still_a_first_order(
    slack: SlackShop,
) -> None:
    customer_id = await slack.small.customer("web-1")
    await slack.small.checkout(customer_id, quantity=1)  # never paid: it brought nothing
    async with slack.shop.sessions() as session, session.begin():
        made = slack.shop.clock.now() - timedelta(days=40)
        await session.execute(update(orm.customers).where(orm.customers.c.id == customer_id).values(created_at=made))
    order_id = await paid_order(slack.small)
    text = _texts((await _card(slack, order_id))["blocks"])
    assert "*Customer*\nAnn\n:new: *First order (1 unpaid or cancelled before)*" in text
    assert f"account 40 days old (since {made:%Y-%m-%d})" in text


async def test_a_returning_customer_shows_only_earlier_orders(slack: SlackShop) -> None:
    first = await paid_order(slack.small, quantity=1)  # 85.00, under the threshold: no approval
    second = await paid_order(slack.small, quantity=2)
    card = await _card(slack, second)
    text = _texts(card["blocks"])
    assert "*Customer*\nAnn · 1 earlier order, 85.00 USD, last 2026-11-02" in text
    assert ":new:" not in text and "First order" not in text
    assert first != second


async def test_after_the_decision_the_header_says_what_happened_by_whom_and_when(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small)
    card = await _card(slack, order_id)
    ts = slack.fake.history[OPS][-1]["ts"]
    await slack.send.click("approve_order", str(order_id), APPROVER, OPS, ts)
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == ts)
    assert update.args["blocks"][0]["text"]["text"] == f":white_check_mark: Order #{order_id} approved by abe at 12:00"
    assert _buttons(update.args["blocks"]) == []
    assert card["blocks"][0]["text"]["text"] != update.args["blocks"][0]["text"]["text"]


async def test_a_rejection_elsewhere_changes_the_header_too(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small)
    await _card(slack, order_id)
    ts = slack.fake.history[OPS][-1]["ts"]
    await slack.shop.bus.cancel(c.RejectOrder(order_id, "address mismatch", actor=Actor.staff("carl", Role.ADMIN)))
    await slack.shop.outbox.drain()
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == ts)
    assert update.args["blocks"][0]["text"]["text"] == f":x: Order #{order_id} rejected by carl at 12:00"
    assert "address mismatch" in _texts(update.args["blocks"])
