"""Order approvals in the ops channel: the message, the decision by an approver, refusals told ephemerally."""

from __future__ import annotations

from channels.slack.registry import MessageRegistry
from domain import commands as c
from domain.model.staff import Actor, Role
from tests.integration.slack.conftest import APPROVER, OPERATOR, OPS, STRANGER, VIEWER, SlackShop, paid_order


def _texts(node: object) -> str:
    """Every text in a Block Kit tree, one per line."""
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return "\n".join(own + [_texts(v) for v in node.values() if isinstance(v, dict | list)])
    if isinstance(node, list):
        return "\n".join(_texts(v) for v in node)
    return ""


def _buttons(blocks: list[dict]) -> list[tuple[str, str]]:
    return [(e["action_id"], e["value"]) for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def _posted_approval(slack: SlackShop) -> tuple[int, str]:
    order_id = await paid_order(slack.small)
    await slack.shop.outbox.drain()
    await slack.fake.wait_for("chat.postMessage", lambda a: a.get("channel") == OPS)
    return order_id, slack.fake.history[OPS][-1]["ts"]


async def test_an_order_needing_approval_is_posted_with_its_details_and_buttons(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small)
    await slack.shop.outbox.drain()
    call = await slack.fake.wait_for("chat.postMessage", lambda a: a.get("channel") == OPS)
    blocks = call.args["blocks"]
    text = _texts(blocks)
    assert f"Order #{order_id} needs approval" in text
    assert "2 × Stride Running Shoes (red / 42) (SHOE-RED-42) at 80.00 USD" in text
    assert "Ann" in text and "Springfield" in text
    assert "Total: *160.00 USD*" in text and "Shipping: 0.00 USD" in text  # free shipping over 100.00
    assert "total 160.00 USD is above 100.00 USD" in text
    assert "Stock allocated" in text and "does not expire" in text
    assert _buttons(blocks) == [("approve_order", str(order_id)), ("reject_order", str(order_id))]
    assert call.args["metadata"] == {"event_type": "chatshop_order_approval", "event_payload": {"order_id": order_id}}
    await slack.shop.outbox.drain()  # a redelivery does not post twice
    assert len([c for c in slack.fake.called("chat.postMessage") if c.args["channel"] == OPS]) == 1


async def test_an_approver_approves_and_the_message_shows_who_and_when(slack: SlackShop) -> None:
    order_id, ts = await _posted_approval(slack)
    sent = await slack.send.click("approve_order", str(order_id), APPROVER, OPS, ts)
    assert sent.status == 200
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == ts)
    assert update.args["channel"] == OPS
    text = _texts(update.args["blocks"])
    assert "*Approved* by abe at 2026-11-02 12:00 UTC" in text
    assert _buttons(update.args["blocks"]) == []
    order = await slack.shop.views.order(order_id)
    assert order is not None and order.status == "approved"
    assert "Approved" in _texts(slack.fake.message(OPS, ts)["blocks"])


async def test_a_viewer_click_is_refused_with_the_domains_message(slack: SlackShop) -> None:
    order_id, ts = await _posted_approval(slack)
    await slack.send.click("approve_order", str(order_id), VIEWER, OPS, ts)
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    assert refusal.args["text"] == "A viewer may not approve orders; it takes an approver."
    assert refusal.args["channel"] == OPS
    order = await slack.shop.views.order(order_id)
    assert order is not None and order.status == "awaiting_approval"
    assert slack.fake.called("chat.update") == []


async def test_an_operator_and_a_stranger_may_not_approve_either(slack: SlackShop) -> None:
    order_id, ts = await _posted_approval(slack)
    await slack.send.click("approve_order", str(order_id), OPERATOR, OPS, ts)
    await slack.send.click("approve_order", str(order_id), STRANGER, OPS, ts)
    operator = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    stranger = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == STRANGER)
    assert "An operator may not approve orders; it takes an approver." in operator.args["text"]
    assert "not set up as shop staff" in stranger.args["text"]
    order = await slack.shop.views.order(order_id)
    assert order is not None and order.status == "awaiting_approval"


async def test_a_second_click_after_the_decision_is_explained_not_repeated(slack: SlackShop) -> None:
    order_id, ts = await _posted_approval(slack)
    await slack.send.click("approve_order", str(order_id), APPROVER, OPS, ts)
    await slack.fake.wait_for("chat.update")
    await slack.send.click("approve_order", str(order_id), APPROVER, OPS, ts)
    again = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == APPROVER)
    assert "already decided by abe: it is approved" in again.args["text"]
    assert len(slack.fake.called("chat.update")) == 1


async def test_reject_asks_for_a_reason_in_a_modal_then_cancels_refunds_and_updates(slack: SlackShop) -> None:
    order_id, ts = await _posted_approval(slack)
    await slack.send.click("reject_order", str(order_id), APPROVER, OPS, ts)
    opened = await slack.fake.wait_for("views.open")
    modal = opened.args["view"]
    assert modal["callback_id"] == "reject_order"
    empty = await slack.send.submit(modal, {"reason": ""}, APPROVER)
    assert empty.json() == {
        "response_action": "errors",
        "errors": {"reason": "The shopper is told why; please give a reason."},
    }
    sent = await slack.send.submit(modal, {"reason": "address looks fraudulent"}, APPROVER)
    assert sent.status == 200
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == ts)
    assert "*Rejected* by abe at 2026-11-02 12:00 UTC: address looks fraudulent" in _texts(update.args["blocks"])
    order = await slack.shop.views.order(order_id)
    assert order is not None
    assert (order.status, order.refunded, order.cancel_reason) == (
        "refunded",
        16000,
        "rejected: address looks fraudulent",
    )


async def test_a_decision_made_outside_slack_updates_the_message_too(slack: SlackShop) -> None:
    order_id, ts = await _posted_approval(slack)
    await slack.shop.bus.handle(c.ApproveOrder(order_id, actor=Actor.staff("carl", Role.ADMIN)))
    await slack.shop.outbox.drain()
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == ts)
    assert "*Approved* by carl" in _texts(update.args["blocks"])


async def test_a_rejection_made_outside_slack_updates_the_message_with_its_reason(slack: SlackShop) -> None:
    order_id, ts = await _posted_approval(slack)
    # As ``chatshop order reject ID --reason …`` does: the same command, an actor that is not a Slack user.
    await slack.shop.bus.cancel(
        c.RejectOrder(order_id, "card <b>stolen</b> & reported", actor=Actor.staff("carl", Role.ADMIN))
    )
    await slack.shop.outbox.drain()
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == ts)
    text = _texts(update.args["blocks"])
    assert "*Rejected* by carl at 2026-11-02 12:00 UTC: card &lt;b&gt;stolen&lt;/b&gt; &amp; reported" in text
    assert _buttons(update.args["blocks"]) == []
    assert "Rejected" in _texts(slack.fake.message(OPS, ts)["blocks"])
    assert len(slack.fake.called("chat.update")) == 1  # the refund that follows does not rewrite it


async def test_after_a_restart_the_message_is_found_again_by_its_metadata(slack: SlackShop) -> None:
    order_id, ts = await _posted_approval(slack)
    slack.ops.registry = MessageRegistry(slack.ops.client)  # what a freshly started process knows: nothing
    await slack.shop.bus.handle(c.ApproveOrder(order_id, actor=Actor.staff("carl", Role.ADMIN)))
    await slack.shop.outbox.drain()
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == ts)
    assert update.args["channel"] == OPS
    lookup = slack.fake.called("conversations.history")[-1]
    assert lookup.args["channel"] == OPS and lookup.args["include_all_metadata"] in (True, "true", "1")


async def test_approving_from_the_order_card_updates_the_message_in_the_ops_channel(slack: SlackShop) -> None:
    order_id, ts = await _posted_approval(slack)
    await slack.send.command("/order", str(order_id), APPROVER, channel="CELSEWHERE")
    card = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == APPROVER)
    assert _buttons(card.args["blocks"])[:2] == [("approve_order", str(order_id)), ("reject_order", str(order_id))]
    await slack.send.click("approve_order", str(order_id), APPROVER, "CELSEWHERE", "9.000100", ephemeral=True)
    update = await slack.fake.wait_for("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (OPS, ts)


async def test_app_home_after_a_restart_still_lists_orders_waiting_for_approval(slack: SlackShop) -> None:
    order_id, _ = await _posted_approval(slack)
    slack.ops.registry = MessageRegistry(slack.ops.client)
    await slack.send.event({"type": "app_home_opened", "user": APPROVER, "channel": "D0HOME", "tab": "home"})
    published = await slack.fake.wait_for("views.publish")
    assert f"Order #{order_id}, 160.00 USD" in _texts(published.args["view"]["blocks"])
