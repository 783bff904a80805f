"""The "New campaign" modal: opened from ``/campaign``, a live count of the segment, checks beside each input,
and a draft created as the Slack user's staff member — through signed requests and the fake Slack Web API."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest

from channels.slack.notifier import campaign_reports
from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.model.campaigns import Campaign, Content, FrequencyCap, QuietHours, ScheduleKind
from tests.integration.campaigns.helpers import Person, add_people, paid_order
from tests.integration.campaigns.test_cli import cli
from tests.integration.slack.conftest import OPERATOR, OPS, STRANGER, VIEWER, SlackShop
from tests.integration.slack.test_campaigns import _buttons, _texts

pytestmark = pytest.mark.timeout(60)
Values = dict[str, str | list[str] | None]

GOOD: Values = {
    "name": "spring-sale",
    "channels": ["telegram", "email"],
    "seg_country": "US, ca",
    "seg_ltv": "50.00",
    "text_en": "Spring sale: 20% off shoes",
    "text_zh": "春季促销：跑鞋八折",
    "image_url": "https://shop.example.com/spring.png",
    "skus": "SHOE-RED-42, MUG-WHT",
    "coupon": "welcome10",
    "schedule": "at",
    "send_at": "2026-12-01 10:00",
    "quiet_hours": "22:00-08:00",
    "cap_messages": "3",
    "cap_days": "14",
}


async def _people(slack: SlackShop) -> list[int]:
    """Ann (US, en, Telegram) has spent 85.00 (shoes and shipping); Bo (CA, zh, Telegram); Cy (US) said no to marketing;
    Di (DE) only uses the web chat."""
    ids = await add_people(
        slack.shop,
        [
            Person(telegram=1, email="ann@example.com"),
            Person(telegram=2, locale="zh", country="CA"),
            Person(telegram=3, opted_in=False),
            Person(webchat="w-di", country="DE"),
        ],
        slack.shop.clock.now(),
    )
    await paid_order(slack.small, ids[0], "SHOE-RED-42")
    return ids


async def _open(slack: SlackShop, user: str = OPERATOR) -> dict[str, Any]:
    """``/campaign new``, and the modal as Slack holds it (with its id and hash) once its count is in."""
    await slack.send.command("/campaign", "new", user)
    return await _counted(slack)


async def _counted(slack: SlackShop) -> dict[str, Any]:
    """The modal opens at once (a trigger id expires in 3 s) and its count follows in a views.update."""
    opened = await slack.fake.wait_for("views.open")
    assert _audience(opened.args["view"]).startswith(":hourglass_flowing_sand: Counting")
    await slack.fake.wait_for("views.update")
    return _current(slack)


def _current(slack: SlackShop) -> dict[str, Any]:
    return list(slack.fake.views.values())[-1]


def _audience(view: dict[str, Any]) -> str:
    return next(b["text"]["text"] for b in view["blocks"] if b.get("block_id") == "audience")


async def _changed(slack: SlackShop, view: dict[str, Any], values: Values, block_id: str) -> str:
    """Change a segment input, wait for the modal's update, and return its count line."""
    updates = len(slack.fake.called("views.update"))
    await slack.send.change(view, values, block_id, OPERATOR)
    await slack.eventually(lambda: _async(len(slack.fake.called("views.update")) > updates))
    update = slack.fake.called("views.update")[-1]
    assert update.args["view_id"] == view["id"] and update.args["hash"] == view["hash"]
    return _audience(update.args["view"])


async def _async(value: bool) -> bool:
    return value


async def _names(slack: SlackShop) -> list[str]:
    return [r.name for r in await campaign_reports(slack.ops)]


async def _stored(slack: SlackShop, name: str) -> Campaign:
    async with slack.shop.sessions() as session:
        found = await SqlCampaignRepository(session).get(name)
    assert found is not None
    return found


async def test_the_campaign_list_offers_a_new_campaign_button_that_opens_the_modal(slack: SlackShop) -> None:
    await _people(slack)
    await slack.send.command("/campaign", "", OPERATOR)
    listing = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert ("campaign_new", "new") in _buttons(listing.args["blocks"])
    await slack.send.click("campaign_new", "new", OPERATOR, OPS, ephemeral=True)
    view = await _counted(slack)
    assert slack.fake.called("views.open")[0].args["trigger_id"].startswith("trigger-")
    assert view["callback_id"] == "campaign_new" and view["title"]["text"] == "New campaign"
    inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    for block_id in ("name", "channels", "seg_country", "seg_ltv", "seg_category", "text_en", "text_zh", "skus"):
        assert block_id in inputs
    assert {"schedule", "send_at", "cron", "quiet_hours", "cap_messages", "cap_days", "submit_now"} <= set(inputs)
    # Everyone opted in (Ann, Bo, Di), all reachable on the channels checked at first (Telegram, web chat).
    assert _audience(view) == (
        ":busts_in_silhouette: *3* customers match · *3* reachable on Telegram, Web chat (opted in, not blocked)."
    )


async def test_campaign_new_opens_the_modal_with_the_commands_trigger(slack: SlackShop) -> None:
    await _people(slack)
    sent = await slack.send.command("/campaign", "new", OPERATOR)
    opened = await slack.fake.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "campaign_new"
    assert sent.status == 200
    assert slack.fake.called("views.open")[0].args["trigger_id"] == "trigger-1"  # the command's own
    assert _audience((await slack.fake.wait_for("views.update")).args["view"]).startswith(
        ":busts_in_silhouette: *3* customers match"
    )
    assert slack.fake.called("chat.postEphemeral") == []  # the modal, not the list


async def test_the_live_count_follows_the_segment_inputs_and_the_channels(slack: SlackShop) -> None:
    await _people(slack)
    view = await _open(slack)
    line = await _changed(slack, view, {"seg_country": "us"}, "seg_country")
    assert line.startswith(":busts_in_silhouette: *2* customers match · *1* reachable")  # Cy opted out
    view = _current(slack)
    line = await _changed(slack, view, {"seg_country": "us", "seg_ltv": "85.00"}, "seg_ltv")
    assert line.startswith(":busts_in_silhouette: *1* customers match · *1* reachable")  # Ann spent 85.00
    view = _current(slack)
    line = await _changed(slack, view, {"seg_country": "us", "seg_ltv": "85.01"}, "seg_ltv")
    assert line.startswith(":busts_in_silhouette: *0* customers match")  # minor units, no rounding
    view = _current(slack)
    line = await _changed(slack, view, {"seg_locale": ["zh"], "channels": ["webchat"]}, "channels")
    assert line == ":busts_in_silhouette: *1* customers match · *0* reachable on Web chat (opted in, not blocked)."
    view = _current(slack)
    line = await _changed(slack, view, {"seg_ltv": "lots"}, "seg_ltv")
    assert line == ":warning: An amount in USD, like 100.00. Fix it to see the count."
    line = await _changed(slack, _current(slack), {"channels": []}, "channels")
    assert line == ":busts_in_silhouette: *3* customers match; pick a channel to reach them."


async def test_a_count_from_an_outdated_view_is_dropped_not_shown(slack: SlackShop) -> None:
    await _people(slack)
    stale = await _open(slack)
    await _changed(slack, stale, {"seg_country": "US"}, "seg_country")
    await slack.send.change(stale, {"seg_country": "DE"}, "seg_country", OPERATOR)  # its hash is old now
    await slack.eventually(lambda: _async(len(slack.fake.called("views.update")) == 3))
    assert _audience(_current(slack)).startswith(":busts_in_silhouette: *2* customers match")


async def test_invalid_submissions_get_errors_beside_their_inputs_and_create_nothing(slack: SlackShop) -> None:
    await _people(slack)
    view = await _open(slack)
    bad = GOOD | {
        "name": "spring sale!",
        "skus": "SHOE-RED-42, NOPE-1",
        "text_en": "   ",
        "schedule": "cron",
        "cron": "every monday",
        "seg_orders": "-1",
        "coupon": "SPRING99",
    }
    sent = await slack.send.submit(view, bad, OPERATOR)
    assert sent.status == 200
    body = sent.json()
    assert body["response_action"] == "errors"
    assert body["errors"] == {
        "name": "A campaign name is 1-80 letters, digits, '-', '_' or '.'.",
        "skus": "No product has the SKU NOPE-1.",
        "text_en": "A campaign message needs text of at most 3,500 characters.",
        "cron": "'every monday' is not a cron expression like '0 10 * * MON'.",
        "seg_orders": "Field order_count needs a whole number of at least 0.",
        "coupon": "No coupon has the code SPRING99: create it first (chatshop coupon create).",
    }
    dated = await slack.send.submit(view, GOOD | {"send_at": "next tuesday"}, OPERATOR)
    assert dated.json()["errors"] == {"send_at": "'next tuesday' is not a time like 2026-12-01T10:00:00+00:00."}
    undated = await slack.send.submit(view, GOOD | {"send_at": None}, OPERATOR)
    assert undated.json()["errors"] == {"send_at": "A campaign scheduled 'at' needs a time (send_at)."}
    many = await slack.send.submit(view, GOOD | {"skus": "A, B, C, D", "seg_ltv": "1.005"}, OPERATOR)
    assert many.json()["errors"] == {
        "skus": "A campaign message features at most 3 products.",
        "seg_ltv": "An amount in USD, like 100.00.",
    }
    assert await _names(slack) == []
    assert slack.fake.called("chat.postEphemeral") == []


async def test_a_valid_submission_creates_the_draft_as_entered_and_confirms_the_reach(
    slack: SlackShop, database_url: str
) -> None:
    await _people(slack)
    view = await _open(slack)
    sent = await slack.send.submit(view, GOOD, OPERATOR)
    assert sent.status == 200 and sent.text == ""
    confirmation = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert confirmation.args["channel"] == OPS
    assert confirmation.args["text"] == (
        "Campaign *spring-sale* saved as a draft: 1 customers match, *1* reachable (opted in, not blocked). "
        "Submit it for approval from `/campaign`."
    )
    campaign = await _stored(slack, "spring-sale")
    assert campaign.status == "draft" and campaign.created_by == "olga"
    assert campaign.channels == ("telegram", "email")
    assert campaign.segment == {
        "all": [
            {"field": "country", "op": "in", "value": ["US", "ca"]},
            {"field": "lifetime_value", "op": "gte", "value": 5000},
        ]
    }
    assert campaign.rule.rules[0].value == ("US", "CA")  # type: ignore[union-attr]
    shared = {
        "image_url": "https://shop.example.com/spring.png",
        "skus": ("SHOE-RED-42", "MUG-WHT"),
        "coupon": "WELCOME10",
    }
    assert campaign.contents == {
        "en": Content("Spring sale: 20% off shoes", **shared),  # type: ignore[arg-type]
        "zh": Content("春季促销：跑鞋八折", **shared),  # type: ignore[arg-type]
    }
    assert campaign.schedule == ScheduleKind.AT
    assert campaign.send_at == datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert campaign.quiet == QuietHours(time(22, 0), time(8, 0))
    assert campaign.cap == FrequencyCap(3, 14)
    listed = cli(database_url, "list")
    assert listed.returncode == 0, listed.stderr
    assert "spring-sale" in listed.stdout and "draft" in listed.stdout
    # Listed in Slack too, with the button a draft offers.
    await slack.send.command("/campaign", "", OPERATOR)
    listing = await slack.fake.wait_for("chat.postEphemeral", lambda a: "blocks" in a)
    assert "*spring-sale* · draft" in _texts(listing.args["blocks"])
    assert ("campaign_submit", "spring-sale") in _buttons(listing.args["blocks"])


async def test_submit_for_approval_now_asks_an_approver_in_the_ops_channel(slack: SlackShop) -> None:
    await _people(slack)
    view = await _open(slack)
    cron = GOOD | {"name": "weekly", "schedule": "cron", "cron": "0 10 * * MON", "submit_now": ["submit"]}
    await slack.send.submit(view, cron, OPERATOR)
    confirmation = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert "*weekly* saved and submitted for approval" in confirmation.args["text"]
    campaign = await _stored(slack, "weekly")
    assert campaign.status == "awaiting_approval"
    assert campaign.schedule == ScheduleKind.CRON and campaign.cron == "0 10 * * MON" and campaign.send_at is None
    await slack.shop.outbox.drain()
    notice = await slack.fake.wait_for("chat.postMessage", lambda a: a.get("channel") == OPS)
    assert "Campaign weekly needs approval" in _texts(notice.args["blocks"])
    assert "*Reaches 1* of 1 matching customers" in _texts(notice.args["blocks"])


async def test_a_personal_single_use_code_is_one_tick_and_needs_a_coupon_to_copy(slack: SlackShop) -> None:
    await _people(slack)
    view = await _open(slack)
    missing = await slack.send.submit(view, GOOD | {"coupon": None, "coupon_single_use": ["single"]}, OPERATOR)
    assert "one template coupon" in missing.json()["errors"]["name"]
    await slack.send.submit(view, GOOD | {"coupon_single_use": ["single"]}, OPERATOR)
    await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    campaign = await _stored(slack, "spring-sale")
    assert campaign.single_use_coupons and campaign.coupon_template == "WELCOME10"


async def test_a_name_already_taken_is_an_error_on_the_name(slack: SlackShop) -> None:
    await _people(slack)
    view = await _open(slack)
    await slack.send.submit(view, GOOD, OPERATOR)
    await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    again = await slack.send.submit(view, GOOD, OPERATOR)
    assert again.json()["errors"] == {"name": "A campaign named spring-sale already exists; pick another name."}


async def test_someone_who_is_not_staff_gets_no_modal_and_creates_nothing(slack: SlackShop) -> None:
    await _people(slack)
    await slack.send.command("/campaign", "new", STRANGER)
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == STRANGER)
    assert "You are not set up as shop staff" in refusal.args["text"]
    assert slack.fake.called("views.open") == []
    view = await _open(slack)  # a staff member's modal, submitted by someone who is not (or no longer) staff
    sent = await slack.send.submit(view, GOOD, STRANGER)
    assert sent.status == 200 and sent.text == ""
    await slack.eventually(lambda: _async(len(slack.fake.called("chat.postEphemeral")) == 2))
    assert "You are not set up as shop staff" in slack.fake.called("chat.postEphemeral")[-1].args["text"]
    assert await _names(slack) == []


async def test_a_viewer_is_refused_by_the_domain_and_creates_nothing(slack: SlackShop) -> None:
    await _people(slack)
    view = await _open(slack, VIEWER)  # viewers may look, and count
    assert _audience(view).startswith(":busts_in_silhouette: *3* customers match")
    await slack.send.submit(view, GOOD, VIEWER)
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    assert refusal.args["text"] == "A viewer may not create campaigns; it takes an operator or above."
    assert await _names(slack) == []
