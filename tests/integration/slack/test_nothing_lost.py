"""Nothing is lost silently: where the bot may not post, the answer comes through ``response_url``;
garbage input gets a readable answer, never a timeout; App Home's low stock is the whole truth."""

from __future__ import annotations

import json

from domain import commands as c
from tests.integration.slack.conftest import APPROVER, OPERATOR, OPS, SlackShop, paid_order
from tests.integration.slack.test_approvals import _buttons, _texts
from tests.support.fake_slack import BOT_USER


async def _told(slack: SlackShop, user: str, within: float = 10) -> str:
    call = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == user, within)
    return str(call.args["text"])


async def test_a_command_where_the_bot_is_not_a_member_is_answered_through_response_url(slack: SlackShop) -> None:
    slack.fake.not_member.add("CPRIVATE")
    sent = await slack.send.command("/stock", "SHOE-RED-42", OPERATOR, channel="CPRIVATE")
    assert sent.status == 200
    answer = await slack.fake.wait_for_response()
    assert answer["response_type"] == "ephemeral"
    assert "/commands/" in answer["url"]
    assert answer["text"].startswith("Stock for SHOE-RED-42")
    assert "SHOE-RED-42" in _texts(answer["blocks"])
    hint = answer["blocks"][-1]["elements"][0]["text"]
    assert hint == (
        f"I'm not a member of this conversation, so only you see this. Invite <@{BOT_USER}> to the channel to "
        "use me there."
    )
    assert [c.args["channel"] for c in slack.fake.called("chat.postMessage")] == []  # no DM needed


async def test_a_command_in_a_dm_between_people_is_answered_too(slack: SlackShop) -> None:
    slack.fake.not_member.add("D0PEOPLE")
    await slack.send.command("/order", "abc", OPERATOR, channel="D0PEOPLE")
    answer = await slack.fake.wait_for_response()
    assert answer["text"].startswith("`abc` is not an order number. Usage: `/order <number>`")
    assert "Invite" in answer["text"]


async def test_a_refusal_where_the_bot_is_not_a_member_reaches_the_person_too(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small)
    slack.fake.not_member.add("CPRIVATE")
    await slack.send.command("/order", str(order_id), OPERATOR, channel="CPRIVATE")
    await slack.fake.wait_for_response()
    await slack.send.click("approve_order", str(order_id), OPERATOR, "CPRIVATE", ephemeral=True)
    refusal = await slack.fake.wait_for_response(lambda r: "/actions/" in r["url"])
    assert refusal["text"].startswith("An operator may not approve orders; it takes an approver.")


async def test_order_numbers_that_are_not_numbers_or_too_big_get_an_answer(slack: SlackShop) -> None:
    for text, answer in [
        ("99999999999999999999", "`99999999999999999999` is not an order number. Usage: `/order <number>`"),
        ("#424242", "No order #424242. Usage: `/order <number>`, e.g. `/order 4002`."),
        ("<!channel>", "`&lt;!channel&gt;` is not an order number."),
        ("", "Usage: `/order <number>`, e.g. `/order 4002`."),
    ]:
        slack.fake.calls.clear()
        await slack.send.command("/order", text, OPERATOR)
        assert (await _told(slack, OPERATOR)).startswith(answer), text


async def test_a_button_with_a_value_that_is_not_a_number_is_answered(slack: SlackShop) -> None:
    for action in ("approve_order", "reject_order", "order_cancel", "order_refund", "close_ticket", "send_coupon"):
        slack.fake.calls.clear()
        await slack.send.click(action, "abc", APPROVER, OPS)
        assert await _told(slack, APPROVER) == "That button carries no number I can read; nothing was done.", action
    slack.fake.calls.clear()
    await slack.send.click("approve_order", "1" * 25, APPROVER, OPS)
    assert await _told(slack, APPROVER) == "That button carries no number I can read; nothing was done."


async def test_a_huge_stock_query_is_refused_in_words(slack: SlackShop) -> None:
    await slack.send.command("/stock", "x" * 100_000, OPERATOR)
    told = await _told(slack, OPERATOR)
    assert told.startswith("That is 100,000 characters: too long for a SKU or a product name.")


async def test_an_absurd_adjustment_is_refused_in_the_modal_and_a_removal_shows_current_stock(
    slack: SlackShop,
) -> None:
    await slack.send.click("adjust_stock", "MUG-WHT", OPERATOR, OPS)
    modal = (await slack.fake.wait_for("views.open")).args["view"]
    assert modal["blocks"][2]["element"]["max_length"] == 8
    for delta in (str(10**20), "1e9", "0", "2000000"):
        bad = await slack.send.submit(modal, {"warehouse": "EAST", "delta": delta, "reason": "typo"}, OPERATOR)
        assert bad.json()["errors"] == {
            "delta": "A whole number of units, not zero, up to 1,000,000: 5 adds, -2 removes."
        }, delta
    long = await slack.send.submit(modal, {"warehouse": "EAST", "delta": "1", "reason": "r" * 201}, OPERATOR)
    assert long.json()["errors"] == {"reason": "At most 200 characters, please (201 now)."}
    await slack.send.submit(modal, {"warehouse": "EAST", "delta": "-100000", "reason": "stocktake"}, OPERATOR)
    told = await _told(slack, OPERATOR)
    assert told == (
        "Can't remove 100,000 of MUG-WHT at EAST: it has 50 on hand, 0 of them held for orders, "
        "so at most 50 can be removed."
    )
    assert "-100000" not in told and "-99950" not in told


async def test_a_listener_that_fails_after_the_ack_tells_the_person_with_a_reference(slack: SlackShop) -> None:
    # A reject form whose metadata is not ours (a forged or truncated submission): it fails after the ack.
    view = {
        "callback_id": "reject_order",
        "private_metadata": "{not json",
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "element": {"type": "plain_text_input", "action_id": "reason"},
            }
        ],
    }
    sent = await slack.send.submit(view, {"reason": "fraud"}, APPROVER)
    assert sent.status == 200
    dm = await slack.fake.wait_for("chat.postMessage", lambda a: a["channel"] == APPROVER)
    assert dm.args["text"].startswith(":warning: Something went wrong on our side, so I could not finish that.")
    assert "(ref `" in dm.args["text"]


async def test_order_card_actions_replace_the_card_instead_of_stacking_new_ones(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=1)
    await slack.send.command("/order", str(order_id), OPERATOR)
    await _told(slack, OPERATOR)
    await slack.send.click("order_pick", str(order_id), OPERATOR, OPS, ephemeral=True)
    replaced = await slack.fake.wait_for_response(lambda r: r.get("replace_original") is True)
    assert [a for a, _ in _buttons(replaced["blocks"])] == ["order_pack", "order_cancel", "order_refund"]
    assert len(slack.fake.called("chat.postEphemeral")) == 1  # only the card /order showed
    await slack.send.click("order_pack", str(order_id), OPERATOR, OPS, ephemeral=True)
    await slack.fake.wait_for_response(lambda r: "order_ship" in json.dumps(r.get("blocks")))
    await slack.send.click("order_ship", str(order_id), OPERATOR, OPS, ephemeral=True)
    modal = (await slack.fake.wait_for("views.open")).args["view"]
    slack.fake.responses.clear()
    await slack.send.submit(modal, {"carrier": "ups", "tracking": "1Z999"}, OPERATOR)
    shipped = await slack.fake.wait_for_response(lambda r: r.get("replace_original") is True)
    assert "shipped" in shipped["text"] or "shipped" in _texts(shipped["blocks"])
    assert [a for a, _ in _buttons(shipped["blocks"])] == ["order_refund"]


async def test_app_home_lists_every_variant_below_its_threshold_most_urgent_first(slack: SlackShop) -> None:
    specs = tuple(c.VariantSpec(f"ZZ-CAP-{n:02d}", 1500, {"size": str(n)}) for n in range(60))
    await slack.shop.bus.handle(c.UpsertProduct("Zephyr Cap", specs, ("Hats",), brand="Zephyr", actor=c.SYSTEM))
    for n in range(48):
        await slack.shop.bus.handle(c.ReceiveStock(f"ZZ-CAP-{n:02d}", "EAST", 10, actor=c.SYSTEM))
    await slack.shop.bus.handle(c.ReceiveStock("ZZ-CAP-58", "EAST", 1, actor=c.SYSTEM))
    await slack.shop.bus.handle(c.ReceiveStock("ZZ-CAP-58", "WEST", 1, actor=c.SYSTEM))
    # Low: ZZ-CAP-48..57 and 59 (nothing), ZZ-CAP-58 (2), SHOE-BLU-42 (2): 13, beyond the first 50 SKUs.
    await slack.send.event({"type": "app_home_opened", "user": APPROVER, "channel": "D0HOME", "tab": "home"})
    published = await slack.fake.wait_for("views.publish")
    text = _texts(published.args["view"]["blocks"])
    low = text[text.index("*Low stock*") :]
    assert low.startswith("*Low stock* (13 below threshold)")
    lines = [line for line in low.splitlines() if line.startswith("• ")]
    assert len(lines) == 11 and lines[-1] == "• …and 3 more: `/stock <sku or name>`"
    assert lines[0] == "• Zephyr Cap size 48 (ZZ-CAP-48): *0* available (threshold 5)"
    assert all("*0* available" in line for line in lines[:10])
    views = await slack.shop.views.low_stock(limit=20)
    assert views.total == 13
    assert [v.sku for v in views.items][-2:] in (["ZZ-CAP-58", "SHOE-BLU-42"], ["SHOE-BLU-42", "ZZ-CAP-58"])
    last = next(v for v in views.items if v.sku == "ZZ-CAP-58")
    assert [(r.warehouse_code, r.on_hand) for r in last.rows] == [("EAST", 1), ("WEST", 1)]
