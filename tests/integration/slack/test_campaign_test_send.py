"""The "Send test…" button of ``/campaign``: the marketer's own address in a modal, checked by the domain, and the test
queued for the sending process — through signed requests and the fake Slack Web API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.adapters import orm
from tests.integration.campaigns.helpers import campaign
from tests.integration.slack.conftest import OPERATOR, OPS, VIEWER, SlackShop
from tests.integration.slack.test_campaigns import _buttons

pytestmark = pytest.mark.timeout(60)


async def _tests_requested(slack: SlackShop) -> list[dict[str, object]]:
    async with slack.shop.sessions() as session:
        query = select(orm.outbox.c.payload).where(orm.outbox.c.name == "CampaignTestRequested")
        return [row.payload for row in (await session.execute(query)).all()]


async def _open_test_modal(slack: SlackShop, user: str = OPERATOR) -> dict[str, object]:
    await slack.send.command("/campaign", "", user)
    listing = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == user)
    assert ("campaign_test", "spring") in _buttons(listing.args["blocks"])
    await slack.send.click("campaign_test", "spring", user, OPS, ephemeral=True)
    opened = await slack.fake.wait_for("views.open")
    view: dict[str, object] = opened.args["view"]
    return view


async def test_a_marketer_sends_a_campaign_test_to_their_own_telegram_from_slack(slack: SlackShop) -> None:
    await slack.shop.bus.handle(campaign(channels=("telegram", "webchat")))
    view = await _open_test_modal(slack)
    assert view["callback_id"] == "campaign_test"
    blocks = view["blocks"]
    assert isinstance(blocks, list)
    channel_block = next(b for b in blocks if b.get("block_id") == "channel")
    assert [o["value"] for o in channel_block["element"]["options"]] == ["telegram", "webchat"]

    refused = await slack.send.submit(view, {"channel": "telegram", "address": "@mia", "locale": "en"}, OPERATOR)
    assert refused.json()["response_action"] == "errors"
    assert "a Telegram chat id is a number" in refused.json()["errors"]["address"]
    assert await _tests_requested(slack) == []

    sent = await slack.send.submit(view, {"channel": "telegram", "address": " 4242 ", "locale": "zh"}, OPERATOR)
    assert sent.status == 200 and not sent.text
    (requested,) = await _tests_requested(slack)
    assert (requested["campaign"], requested["channel"], requested["address"], requested["locale"]) == (
        "spring",
        "telegram",
        "4242",
        "zh",
    )
    told = await slack.fake.wait_for("chat.postEphemeral", lambda a: "Test of" in a.get("text", ""))
    assert told.args["text"] == "Test of *spring* (zh) is on its way to telegram 4242."


async def test_a_viewer_cannot_send_a_campaign_test_from_slack(slack: SlackShop) -> None:
    await slack.shop.bus.handle(campaign(channels=("telegram",)))
    view = await _open_test_modal(slack, VIEWER)
    refused = await slack.send.submit(view, {"channel": "telegram", "address": "4242", "locale": "en"}, VIEWER)
    assert "may not send test messages" in refused.json()["errors"]["address"]
    assert await _tests_requested(slack) == []
