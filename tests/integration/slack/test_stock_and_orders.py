"""/stock with per-warehouse figures and an Adjust modal; /order with the actions its state allows; low stock."""

from __future__ import annotations

from sqlalchemy import select

from domain.adapters import orm
from tests.integration.slack.conftest import APPROVER, OPERATOR, OPS, VIEWER, SlackShop, paid_order
from tests.integration.slack.test_approvals import _buttons, _texts


async def _ledger(slack: SlackShop, reason: str) -> list[tuple[int, str]]:
    m = orm.stock_movements.c
    async with slack.shop.sessions() as session:
        rows = await session.execute(select(m.d_on_hand, m.actor).where(m.reason == reason))
        return [(int(r[0]), str(r[1])) for r in rows]


async def test_stock_shows_each_warehouse_with_reservations(slack: SlackShop) -> None:
    await slack.small.checkout(await slack.small.customer(), quantity=2)  # 2 reserved at EAST (priority 1)
    await slack.send.command("/stock", "shoe-red-42", OPERATOR)
    call = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    text = _texts(call.args["blocks"])
    assert "`EAST` East: 3 on hand, 2 reserved, 0 allocated, *1 available*" in text
    assert "`WEST` West: 5 on hand, 0 reserved, 0 allocated, *5 available*" in text
    assert "Total available: *6*" in text


async def test_stock_by_name_lists_every_matching_variant(slack: SlackShop) -> None:
    await slack.send.command("/stock", "running shoes", VIEWER)
    call = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    assert _buttons(call.args["blocks"]) == []  # accessories, not action blocks
    accessories = [b["accessory"]["value"] for b in call.args["blocks"] if "accessory" in b]
    assert accessories == ["SHOE-BLU-42", "SHOE-RED-42"]


async def test_adjusting_stock_through_the_modal_writes_a_ledger_row_as_the_staff_member(slack: SlackShop) -> None:
    await slack.send.click("adjust_stock", "SHOE-RED-42", OPERATOR, OPS)
    opened = await slack.fake.wait_for("views.open")
    modal = opened.args["view"]
    bad = await slack.send.submit(modal, {"warehouse": "WEST", "delta": "two", "reason": ""}, OPERATOR)
    assert set(bad.json()["errors"]) == {"delta", "reason"}
    ok = await slack.send.submit(modal, {"warehouse": "WEST", "delta": "-2", "reason": "damaged in transit"}, OPERATOR)
    assert ok.status == 200 and ok.text == ""
    await slack.fake.wait_for(
        "chat.postEphemeral", lambda a: a["text"].startswith("Adjusted SHOE-RED-42 at WEST by -2")
    )
    assert await _ledger(slack, "damaged in transit") == [(-2, "olga")]
    stock = await slack.shop.views.stock("SHOE-RED-42")
    assert stock is not None and [r.on_hand for r in stock.rows] == [3, 3]


async def test_a_viewer_is_refused_before_the_adjust_modal_opens_and_the_domain_refuses_a_submission(
    slack: SlackShop,
) -> None:
    await slack.send.click("adjust_stock", "MUG-WHT", VIEWER, OPS)
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    assert refusal.args["text"] == "A viewer may not adjust stock; it takes an operator."
    assert slack.fake.called("views.open") == []
    # A form opened by an operator and submitted by a viewer (a forged payload): the domain still refuses.
    await slack.send.click("adjust_stock", "MUG-WHT", OPERATOR, OPS)
    modal = (await slack.fake.wait_for("views.open")).args["view"]
    slack.fake.calls.clear()
    await slack.send.submit(modal, {"warehouse": "EAST", "delta": "5", "reason": "found a box"}, VIEWER)
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    assert refusal.args["text"] == "A viewer may not adjust stock; it takes an operator."
    assert await _ledger(slack, "found a box") == []


async def test_stock_falling_below_its_threshold_is_announced_in_the_ops_channel(slack: SlackShop) -> None:
    await slack.send.click("adjust_stock", "MUG-WHT", OPERATOR, OPS)
    modal = (await slack.fake.wait_for("views.open")).args["view"]
    await slack.send.submit(modal, {"warehouse": "EAST", "delta": "-47", "reason": "stocktake"}, OPERATOR)
    await slack.fake.wait_for("chat.postEphemeral", lambda a: a["text"].startswith("Adjusted MUG-WHT"))
    await slack.shop.outbox.drain()
    alert = await slack.fake.wait_for("chat.postMessage", lambda a: a["channel"] == OPS)
    assert alert.args["text"] == "Low stock: Hearth Ceramic Mug color white (MUG-WHT) has 3 available (threshold 5)."
    assert "`EAST` East: *3* on hand, 3 available" in _texts(alert.args["blocks"])
    assert _buttons(alert.args["blocks"]) == [("receive_stock", "MUG-WHT"), ("adjust_stock", "MUG-WHT")]

    # Receive… opens a modal; what arrived is booked with ReceiveStock and the stock is told.
    await slack.send.click("receive_stock", "MUG-WHT", VIEWER, OPS, alert.args.get("ts", "1.000100"))
    refused = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    assert refused.args["text"] == "A viewer may not adjust stock; it takes an operator."
    slack.fake.calls.clear()
    await slack.send.click("receive_stock", "MUG-WHT", OPERATOR, OPS)
    modal = (await slack.fake.wait_for("views.open")).args["view"]
    assert modal["callback_id"] == "receive_stock"
    bad = await slack.send.submit(modal, {"warehouse": "EAST", "quantity": "-4"}, OPERATOR)
    assert bad.json()["errors"] == {"quantity": "A whole number of units, from 1 to 1,000,000."}
    await slack.send.submit(modal, {"warehouse": "EAST", "quantity": "24", "reason": "PO 1182"}, OPERATOR)
    done = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["text"].startswith("Received"))
    assert done.args["text"] == "Received 24 × MUG-WHT at EAST; 27 available now."
    assert await _ledger(slack, "PO 1182") == [(24, "olga")]


async def test_an_order_card_offers_the_actions_of_its_state_and_they_move_it_along(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=1)  # 80.00: no approval needed
    await slack.send.command("/order", f"#{order_id}", OPERATOR)
    card = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert [a for a, _ in _buttons(card.args["blocks"])] == ["order_pick", "order_cancel", "order_refund"]
    slack.fake.calls.clear()
    await slack.send.click("order_pick", str(order_id), OPERATOR, OPS)
    picked = await slack.fake.wait_for("chat.postEphemeral")
    assert [a for a, _ in _buttons(picked.args["blocks"])] == ["order_pack", "order_cancel", "order_refund"]
    slack.fake.calls.clear()
    await slack.send.click("order_pack", str(order_id), OPERATOR, OPS)
    packed = await slack.fake.wait_for("chat.postEphemeral")
    assert [a for a, _ in _buttons(packed.args["blocks"])] == ["order_ship", "order_cancel", "order_refund"]
    await slack.send.click("order_ship", str(order_id), OPERATOR, OPS)
    modal = (await slack.fake.wait_for("views.open")).args["view"]
    await slack.send.submit(modal, {"carrier": "ups", "tracking": "1Z999"}, OPERATOR)
    await slack.fake.wait_for("chat.postEphemeral", lambda a: a["text"] == f"Order #{order_id} shipped with ups 1Z999.")
    order = await slack.shop.views.order(order_id)
    assert order is not None and (order.status, order.carrier, order.tracking_number) == ("shipped", "ups", "1Z999")


async def test_a_partial_refund_is_parsed_exactly_and_only_an_approver_may_refund(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=1)
    await slack.send.click("order_refund", str(order_id), OPERATOR, OPS)
    refused = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert refused.args["text"] == "An operator may not refund payments; it takes an approver."
    assert slack.fake.called("views.open") == []
    slack.fake.calls.clear()
    await slack.send.click("order_refund", str(order_id), APPROVER, OPS)
    modal = (await slack.fake.wait_for("views.open")).args["view"]
    assert "85.00 USD can still be refunded." in _texts(modal["blocks"])
    bad = await slack.send.submit(modal, {"amount": "12.345", "reason": "late"}, OPERATOR)
    assert bad.json()["errors"] == {"amount": "An amount in USD, like 12.50 (or empty for everything)."}
    await slack.send.submit(modal, {"amount": "12.50", "reason": "late"}, OPERATOR)
    refused = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert refused.args["text"] == "An operator may not refund payments; it takes an approver."
    await slack.send.submit(modal, {"amount": "12.50", "reason": "late delivery"}, APPROVER)
    done = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == APPROVER)
    assert done.args["text"] == f"Refund of 12.50 USD on order #{order_id}: done."
    order = await slack.shop.views.order(order_id)
    assert order is not None and order.refunded == 1250


async def test_cancelling_from_the_order_card_cancels_and_refunds(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=1)
    await slack.send.click("order_cancel", str(order_id), OPERATOR, OPS)
    await slack.fake.wait_for("chat.postEphemeral", lambda a: "is cancelled" in a["text"])
    order = await slack.shop.views.order(order_id)
    assert order is not None and (order.status, order.refunded) == ("refunded", 8500)
    assert order.cancel_reason == "cancelled by olga from Slack"


async def test_an_unknown_order_is_said_so(slack: SlackShop) -> None:
    await slack.send.command("/order", "999", OPERATOR)
    call = await slack.fake.wait_for("chat.postEphemeral")
    assert call.args["text"] == "No order #999. Usage: `/order <number>`, e.g. `/order 4002`."
