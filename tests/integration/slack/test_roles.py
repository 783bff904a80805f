"""Who may do what, decided by the domain and asked before a form opens: viewers look, operators answer
shoppers and move stock, approvers decide orders and money. ``chatshop staff`` never renames by accident."""

from __future__ import annotations

import asyncio
import os
import sys

from domain import commands as c
from domain.model.staff import Actor, Role
from tests.integration.slack.conftest import (
    APPROVER,
    OPERATOR,
    OPS,
    STRANGER,
    SUPPORT,
    VIEWER,
    SlackShop,
    paid_order,
)
from tests.integration.slack.test_support import _open_ticket, _reply

NOT_STAFF = "not set up as shop staff"


async def _click_as(slack: SlackShop, action: str, value: str, user: str) -> str:
    """Click as ``user``: "modal" when a form opened, else the ephemeral answer's text."""
    slack.fake.calls.clear()
    await slack.send.click(action, value, user, OPS)

    def answered() -> bool:
        return bool(slack.fake.called("views.open")) or any(
            c.args["user"] == user for c in slack.fake.called("chat.postEphemeral")
        )

    async def done() -> bool:
        return answered()

    await slack.eventually(done)
    if slack.fake.called("views.open"):
        assert not slack.fake.called("chat.postEphemeral")
        return "modal"
    return str(slack.fake.called("chat.postEphemeral")[0].args["text"])


async def test_every_role_pressing_a_form_button_gets_the_form_or_the_domains_refusal_first(
    slack: SlackShop,
) -> None:
    order_id = await paid_order(slack.small)  # awaiting approval
    paid = await paid_order(slack.small, quantity=1, external_id="web-2")  # refundable, shippable later
    approver_only = "may not {}; it takes an approver."
    expected = {
        ("reject_order", str(order_id)): {
            VIEWER: "A viewer " + approver_only.format("approve orders"),
            OPERATOR: "An operator " + approver_only.format("approve orders"),
            APPROVER: "modal",
        },
        ("order_refund", str(paid)): {
            VIEWER: "A viewer " + approver_only.format("refund payments"),
            OPERATOR: "An operator " + approver_only.format("refund payments"),
            APPROVER: "modal",
        },
        ("adjust_stock", "MUG-WHT"): {
            VIEWER: "A viewer may not adjust stock; it takes an operator.",
            OPERATOR: "modal",
            APPROVER: "modal",
        },
        ("order_ship", str(paid)): {
            VIEWER: "A viewer may not fulfil orders; it takes an operator.",
            OPERATOR: "modal",
            APPROVER: "modal",
        },
    }
    for (action, value), by_user in expected.items():
        for user, answer in by_user.items():
            assert await _click_as(slack, action, value, user) == answer, (action, user)
        assert NOT_STAFF in await _click_as(slack, action, value, STRANGER)


async def test_reject_on_an_order_already_approved_is_refused_without_a_modal(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small)
    await slack.shop.bus.handle(c.ApproveOrder(order_id, actor=Actor.staff("carl", Role.ADMIN)))
    answer = await _click_as(slack, "reject_order", str(order_id), APPROVER)
    assert answer == f"Order #{order_id} was already decided: it is approved. Nothing to reject."


async def test_a_viewer_may_not_answer_a_shopper_and_is_told_in_the_thread(slack: SlackShop) -> None:
    _, ticket_id, thread_ts = await _open_ticket(slack)
    await slack.send.event(_reply(thread_ts, VIEWER, "I can see your order", "1780000900.000400"))
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    assert refusal.args == {
        "channel": SUPPORT,
        "user": VIEWER,
        "text": "A viewer may not answer shoppers or close their tickets; it takes an operator.",
        "thread_ts": thread_ts,
    }
    ticket = await slack.shop.views.ticket(ticket_id)
    assert ticket is not None and ticket["messages"] == []


async def test_a_viewer_may_not_close_a_ticket_but_an_operator_may(slack: SlackShop) -> None:
    _, ticket_id, thread_ts = await _open_ticket(slack)
    await slack.send.click("close_ticket", str(ticket_id), VIEWER, SUPPORT, thread_ts)
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    assert refusal.args["text"] == "A viewer may not answer shoppers or close their tickets; it takes an operator."
    ticket = await slack.shop.views.ticket(ticket_id)
    assert ticket is not None and ticket["status"] == "open"
    await slack.send.click("close_ticket", str(ticket_id), OPERATOR, SUPPORT, thread_ts)

    async def closed() -> bool:
        found = await slack.shop.views.ticket(ticket_id)
        return found is not None and found["status"] == "closed"

    await slack.eventually(closed)


async def _cli(slack: SlackShop, *args: str) -> tuple[int, str, str]:
    url = slack.shop.settings.database_url
    env = os.environ | {"CHATSHOP_DATABASE_URL": url, "COLUMNS": "200"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatshop.cli",
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_staff_add_refuses_an_existing_slack_user_unless_update_then_list_and_deactivate(
    slack: SlackShop,
) -> None:
    code, _, err = await _cli(slack, "staff", "add", "Mallory", "--role", "admin", "--slack-user", VIEWER)
    assert code == 1
    assert f"Slack user {VIEWER} is already staff #3 vic (viewer); to change them, add them again with --update." in (
        " ".join(err.split())
    )
    assert (await slack.shop.views.staff_by_slack_user(VIEWER)).name == "vic"  # type: ignore[union-attr]

    code, out, _ = await _cli(
        slack, "staff", "add", "Vic Viewer", "--role", "operator", "--slack-user", VIEWER, "--update"
    )
    assert code == 0 and f"staff #3 Vic Viewer updated: operator, Slack user {VIEWER}" in out
    code, out, _ = await _cli(slack, "staff", "add", "Nora", "--role", "viewer")
    assert code == 0 and "staff #4 Nora added: viewer, no Slack user" in out and "None" not in out

    code, out, _ = await _cli(slack, "staff", "list")
    listed = out.replace(" ", "").replace("│", "")
    assert code == 0
    for who in ("1abeapproverUAPPROVERyes", "2olgaoperatorUOPERATORyes", "4Noraviewer-yes"):
        assert who in listed, (who, out)

    code, out, _ = await _cli(slack, "staff", "deactivate", OPERATOR)
    assert code == 0 and "olga is deactivated." in out
    code, _, err = await _cli(slack, "staff", "deactivate", "U0NOBODY")
    assert code == 1 and "No staff member U0NOBODY" in err
    code, out, _ = await _cli(slack, "staff", "list")
    assert "olgaoperatorUOPERATORno" in out.replace(" ", "").replace("│", "")
    # Deactivated: Slack no longer takes their word for anything.
    await slack.send.command("/stock", "MUG-WHT", OPERATOR)
    refused = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert NOT_STAFF in refused.args["text"]
