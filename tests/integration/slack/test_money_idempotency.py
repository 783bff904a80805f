"""Staff actions that move money are harmless when Slack delivers them twice (a retry, a double click)."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from domain.adapters import orm
from tests.integration.slack.conftest import APPROVER, OPERATOR, OPS, SlackShop, paid_order
from tests.integration.slack.test_approvals import _posted_approval


async def _refunds(slack: SlackShop, order_id: int) -> list[tuple[int, str]]:
    t = orm.refunds.c
    async with slack.shop.sessions() as session:
        rows = await session.execute(select(t.amount, t.status).where(t.order_id == order_id).order_by(t.id))
        return [(int(r[0]), str(r[1])) for r in rows]


async def _sandbox_refunded(slack: SlackShop, order_id: int) -> tuple[int, int]:
    """What the sandbox provider itself paid back for the order: (refund count, amount)."""
    s, r = orm.sandbox_sessions.c, orm.sandbox_refunds.c
    async with slack.shop.sessions() as session:
        row = (
            await session.execute(
                select(func.count(r.id), func.coalesce(func.sum(r.amount), 0))
                .select_from(orm.sandbox_refunds.join(orm.sandbox_sessions, s.id == r.session_id))
                .where(s.order_id == order_id)
            )
        ).one()
        return int(row[0]), int(row[1])


async def _answers(slack: SlackShop, user: str, count: int) -> list[str]:
    await slack.eventually(
        lambda: _ready(slack, user, count),
    )
    return [c.args["text"] for c in slack.fake.called("chat.postEphemeral") if c.args["user"] == user]


async def _ready(slack: SlackShop, user: str, count: int) -> bool:
    return len([c for c in slack.fake.called("chat.postEphemeral") if c.args["user"] == user]) >= count


async def test_the_same_refund_view_submitted_twice_refunds_once(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=1)
    await slack.send.click("order_refund", str(order_id), APPROVER, OPS)
    modal = (await slack.fake.wait_for("views.open")).args["view"]
    first = await slack.send.submit(modal, {"amount": "12.50", "reason": "late delivery"}, APPROVER)
    await _answers(slack, APPROVER, 1)
    again = await slack.send.submit(modal, {"amount": "12.50", "reason": "late delivery"}, APPROVER)
    assert (first.status, again.status) == (200, 200)
    answers = await _answers(slack, APPROVER, 2)
    assert answers[0] == f"Refund of 12.50 USD on order #{order_id}: done."
    assert answers[1] == f"Refund of 12.50 USD on order #{order_id}: done (this form was already submitted once)."
    assert await _refunds(slack, order_id) == [(1250, "succeeded")]
    assert await _sandbox_refunded(slack, order_id) == (1, 1250)
    order = await slack.shop.views.order(order_id)
    assert order is not None and order.refunded == 1250


async def test_a_refund_view_delivered_twice_at_once_refunds_once(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=1)
    await slack.send.click("order_refund", str(order_id), APPROVER, OPS)
    modal = (await slack.fake.wait_for("views.open")).args["view"]
    values = {"amount": "12.50", "reason": "late delivery"}
    sent = await asyncio.gather(*(slack.send.submit(modal, values, APPROVER) for _ in range(2)))
    assert [s.status for s in sent] == [200, 200]
    await _answers(slack, APPROVER, 2)
    assert await _refunds(slack, order_id) == [(1250, "succeeded")]
    assert await _sandbox_refunded(slack, order_id) == (1, 1250)


async def test_two_refund_modals_opened_separately_are_two_refunds(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=1)
    for _ in range(2):
        slack.fake.calls.clear()
        await slack.send.click("order_refund", str(order_id), APPROVER, OPS)
        modal = (await slack.fake.wait_for("views.open")).args["view"]
        await slack.send.submit(modal, {"amount": "10.00", "reason": "goodwill"}, APPROVER)
        await _answers(slack, APPROVER, 1)
    assert await _refunds(slack, order_id) == [(1000, "succeeded"), (1000, "succeeded")]
    assert await _sandbox_refunded(slack, order_id) == (2, 2000)


async def test_cancel_clicked_twice_refunds_once_and_the_second_click_is_explained(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=1)
    await slack.send.click("order_cancel", str(order_id), OPERATOR, OPS)
    await slack.fake.wait_for("chat.postEphemeral", lambda a: "is cancelled" in a["text"])
    await slack.send.click("order_cancel", str(order_id), OPERATOR, OPS)
    again = await slack.fake.wait_for("chat.postEphemeral", lambda a: "already" in a["text"])
    assert again.args["text"] == f"Order #{order_id} is already refunded; nothing more was done."
    assert await _refunds(slack, order_id) == [(8500, "succeeded")]
    assert await _sandbox_refunded(slack, order_id) == (1, 8500)


async def test_cancel_clicked_twice_at_once_refunds_once(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=1)
    await asyncio.gather(*(slack.send.click("order_cancel", str(order_id), OPERATOR, OPS) for _ in range(2)))
    await _answers(slack, OPERATOR, 2)
    await slack.eventually(lambda: _settled(slack, order_id))
    assert await _refunds(slack, order_id) == [(8500, "succeeded")]
    assert await _sandbox_refunded(slack, order_id) == (1, 8500)


async def _settled(slack: SlackShop, order_id: int) -> bool:
    order = await slack.shop.views.order(order_id)
    return order is not None and order.status == "refunded"


async def test_the_same_reject_view_submitted_twice_refunds_once_and_says_it_was_already_decided(
    slack: SlackShop,
) -> None:
    order_id, ts = await _posted_approval(slack)
    await slack.send.click("reject_order", str(order_id), APPROVER, OPS, ts)
    modal = (await slack.fake.wait_for("views.open")).args["view"]
    await slack.send.submit(modal, {"reason": "address looks fraudulent"}, APPROVER)
    await slack.fake.wait_for("chat.update", lambda a: a["ts"] == ts)
    await slack.send.submit(modal, {"reason": "address looks fraudulent"}, APPROVER)
    again = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == APPROVER)
    assert again.args["text"] == f"Order #{order_id} was already decided by abe: it is refunded."
    assert await _refunds(slack, order_id) == [(16000, "succeeded")]
    assert await _sandbox_refunded(slack, order_id) == (1, 16000)
    assert len(slack.fake.called("chat.update")) == 1
