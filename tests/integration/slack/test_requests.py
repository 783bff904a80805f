"""Requests into the Slack endpoint: only signed and fresh ones are processed, replays once, acks are quick."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlparse

import yaml

from domain import commands as c
from tests.integration.slack.conftest import APPROVER, OPERATOR, STRANGER, SUPPORT, SlackShop
from tests.support.fake_slack import sign

MANIFEST = Path(__file__).parents[3] / "channels" / "slack" / "manifest.yml"


async def test_a_badly_signed_command_is_refused_with_401_and_not_processed(slack: SlackShop) -> None:
    sent = await slack.send.command("/stock", "MUG-WHT", OPERATOR, signature="v0=" + "0" * 64)
    assert sent.status == 401
    sent = await slack.send.command("/stock", "MUG-WHT", OPERATOR, signature="")
    assert sent.status == 401
    await slack.send.command("/stock", "SHOE-RED-42", OPERATOR)  # a good one, to know the bot is listening
    await slack.fake.wait_for("chat.postEphemeral")
    answered = [call.args["text"] for call in slack.fake.called("chat.postEphemeral")]
    assert answered == ["Stock for SHOE-RED-42"]


async def test_a_stale_timestamp_is_refused_with_401_even_when_correctly_signed(slack: SlackShop) -> None:
    stale = int(time.time()) - 6 * 60  # Slack's window is five minutes
    body = "command=%2Fstock&text=MUG-WHT&user_id=UOPERATOR&channel_id=COPS&team_id=T0SHOP"
    sent = await slack.send.post(
        body, "application/x-www-form-urlencoded", timestamp=stale, signature=sign(slack.send.secret, body, stale)
    )
    assert sent.status == 401
    assert slack.fake.called("chat.postEphemeral") == []


async def test_a_signature_made_with_another_secret_is_refused(slack: SlackShop) -> None:
    now = int(time.time())
    body = "command=%2Fstock&text=MUG-WHT&user_id=UOPERATOR&channel_id=COPS"
    sent = await slack.send.post(
        body, "application/x-www-form-urlencoded", timestamp=now, signature=sign("not-the-secret", body, now)
    )
    assert sent.status == 401


async def test_a_redelivered_event_is_processed_once(slack: SlackShop) -> None:
    customer = await slack.small.customer()
    ticket_id = int(await slack.shop.bus.handle(c.OpenTicket(customer, "webchat", "chat-1", "Where is my order?")))
    await slack.shop.outbox.drain()
    parent = await slack.fake.wait_for("chat.postMessage", lambda a: a.get("channel") == SUPPORT)
    thread_ts = slack.fake.history[SUPPORT][0]["ts"]
    reply = {
        "type": "message",
        "channel": SUPPORT,
        "user": APPROVER,
        "text": "It ships tomorrow.",
        "ts": "1780000999.000200",
        "thread_ts": thread_ts,
        "channel_type": "channel",
    }
    first = await slack.send.event(reply, event_id="Ev0RETRY1")
    again = await slack.send.event(reply, event_id="Ev0RETRY1", retry=1)
    assert (first.status, again.status) == (200, 200)
    assert parent.args["metadata"]["event_payload"] == {"ticket_id": ticket_id}

    async def replied() -> bool:
        ticket = await slack.shop.views.ticket(ticket_id)
        return ticket is not None and any(m["text"] == "It ships tomorrow." for m in ticket["messages"])

    await slack.eventually(replied)
    await slack.send.event({**reply, "text": "(a later, different event)", "ts": "1780000999.000300"})

    async def later_arrived() -> bool:
        ticket = await slack.shop.views.ticket(ticket_id)
        return ticket is not None and len(ticket["messages"]) == 2

    await slack.eventually(later_arrived)
    ticket = await slack.shop.views.ticket(ticket_id)
    assert ticket is not None
    assert [m["text"] for m in ticket["messages"]] == ["It ships tomorrow.", "(a later, different event)"]


async def test_commands_are_acknowledged_at_once_and_answered_after(slack: SlackShop) -> None:
    sent = await slack.send.command("/report", "sales 30d", OPERATOR)
    assert sent.status == 200 and sent.elapsed < 3
    await slack.fake.wait_for("files.completeUploadExternal")


async def test_an_unknown_slack_user_is_refused_ephemerally_with_how_to_get_access(slack: SlackShop) -> None:
    sent = await slack.send.command("/stock", "MUG-WHT", STRANGER)
    assert sent.status == 200
    call = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == STRANGER)
    assert "not set up as shop staff" in call.args["text"]
    assert f"--slack-user {STRANGER}" in call.args["text"]
    assert slack.fake.called("chat.postMessage") == []


async def test_every_slash_command_in_the_manifest_is_answered(slack: SlackShop) -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    commands = manifest["features"]["slash_commands"]
    assert {urlparse(cmd["url"]).path for cmd in commands} == {"/slack/events"}
    for cmd in commands:
        await slack.send.command(cmd["command"], "", OPERATOR)
    await slack.eventually(lambda: _count(slack, len(commands)))


async def _count(slack: SlackShop, n: int) -> bool:
    return len(slack.fake.called("chat.postEphemeral")) == n
