"""A manager approving a campaign from Slack knows what they approve: the text per language as shoppers
will see it (formatted, every marketer and customer string inert), who it reaches in words and by name,
channels, coupon, schedule, quiet hours and how long sending takes. And ``unknown`` deliveries are explained."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from domain import commands as c
from domain.adapters import orm
from domain.adapters.orm_campaigns import campaign_deliveries
from domain.model.staff import Actor, Role
from tests.integration.campaigns.helpers import MARKETER, Person, add_people, campaign
from tests.integration.slack.conftest import APPROVER, OPERATOR, OPS, VIEWER, SlackShop
from tests.integration.slack.test_campaigns import _buttons, _finished, _texts

pytestmark = pytest.mark.timeout(30)

HOSTILE_NAME = "<!here> <https://evil.example/login|Click to approve> &amp; <@UADMIN>"
TEXT = (
    "**Spring sale**: _20% off_ [all shoes](https://shop.example/shoes?a=1&b=2)\n"
    "<!channel> <https://evil.example/slack-login|Your Slack session expired> & [<@UADMIN>](https://shop.example/x)"
    " [tap](javascript:alert(1))"
)
ZH_TEXT = "**春季促销**：全场鞋履八折"


async def _people(slack: SlackShop) -> None:
    people = [
        Person(telegram=1, locale="en"),
        Person(telegram=2, locale="zh"),
        Person(telegram=3, locale="de"),  # no German text: reads the first language's
        Person(webchat="w-4", locale="en"),
        Person(telegram=5, opted_in=False),  # matches, never reached
    ]
    ids = await add_people(slack.shop, people, slack.shop.clock.now())
    async with slack.shop.sessions() as session, session.begin():
        await session.execute(update(orm.customers).where(orm.customers.c.id == ids[0]).values(name=HOSTILE_NAME))


def _spring(**kw: Any) -> c.CreateCampaign:
    fields: dict[str, Any] = {
        "contents": {
            "en": {"text": TEXT, "coupon": "WELCOME10", "skus": ["SHOE-RED-42"]},
            "zh": {"text": ZH_TEXT, "coupon": "WELCOME10"},
        },
        "channels": ("telegram", "webchat"),
        "segment": {
            "all": [
                {"field": "country", "op": "in", "value": ["US", "DE"]},
                {"not": {"field": "tag", "op": "any", "value": ["<!channel>"]}},
            ]
        },
        "schedule": "at",
        "send_at": "2026-11-03T10:00:00+00:00",
        "quiet_hours": ("21:00", "09:00"),
    }
    fields.update(kw)
    return campaign("spring", **fields)


async def _submitted_notice(slack: SlackShop, **kw: Any) -> dict[str, Any]:
    await _people(slack)
    await slack.shop.bus.handle(_spring(**kw))
    await slack.shop.bus.handle(c.SubmitCampaign("spring", actor=MARKETER))
    await slack.shop.outbox.drain()
    posted = await slack.fake.wait_for("chat.postMessage", lambda a: a.get("channel") == OPS)
    return posted.args


def _no_live_markup(text: str) -> None:
    """Nothing a marketer or a customer typed became a Slack mention or link."""
    for live in ("<!here>", "<!channel>", "<@UADMIN>", "<https://evil.example", "|Click to approve>"):
        assert live not in text, live


async def test_the_approval_notice_shows_the_text_per_language_formatted_and_inert(slack: SlackShop) -> None:
    notice = await _submitted_notice(slack)
    text = _texts(notice["blocks"])
    _no_live_markup(text)
    _no_live_markup(notice["text"])
    # Bold, italic and the link as Slack draws them; what was typed as Slack markup is shown as text.
    assert (
        ">*Spring sale*: _20% off_ <https://shop.example/shoes?a=1&amp;b=2|all shoes>\n"
        ">&lt;!channel&gt; &lt;https://evil.example/slack-login|Your Slack session expired&gt; &amp; "
        "<https://shop.example/x|&lt;@UADMIN&gt;> [tap](javascript:alert(1))"
    ) in text
    assert "<javascript" not in text and "preview stops here" not in text  # not a link for shoppers either
    assert "*English* (`en`) · 3 recipients (1 of them in de, which has no text of its own)" in text
    assert "*Chinese* (`zh`) · 1 recipient\n>*春季促销*：全场鞋履八折" in text
    assert "Products: `SHOE-RED-42` · Code shown: `WELCOME10` · Buttons: a button per product, Unsubscribe" in text
    assert _buttons(notice["blocks"]) == [("campaign_approve", "spring")]


async def test_the_approval_notice_says_who_it_reaches_when_and_for_how_long(slack: SlackShop) -> None:
    notice = await _submitted_notice(slack)
    text = _texts(notice["blocks"])
    assert "Written by mia, submitted by mia" in text
    assert "*Who*: country US or DE, and not (not tagged &lt;!channel&gt;)" not in text  # a double negative
    assert "*Who*: country US or DE, and not (tagged &lt;!channel&gt;)" in text
    assert "*Reaches 4* of 5 matching customers" in text
    by = "By channel and language: Telegram · de: 1, Telegram · English: 1, Telegram · Chinese: 1, "
    by += "Web chat · English: 1"
    assert by in text  # most first; ties in the campaign's channel order, then by language code
    # A customer's name is theirs to choose: shown, escaped.
    assert "For example: &lt;!here&gt; &lt;https://evil.example/login|Click to approve&gt; &amp;amp; " in text
    assert "(Telegram, en), P1 (Telegram, zh), P2 (Telegram, de), P3 (Web chat, en)" in text
    assert "*Channels*: Telegram, Web chat" in text
    assert "*Coupon*: `WELCOME10`, shared (everyone gets the same code)" in text
    assert "*When*: Sends at 2026-11-03 10:00 UTC." in text
    assert "People in their quiet hours (21:00-09:00 their time) get it when those end." in text
    assert "At most 2 marketing messages per person in 7 days." in text
    # The CLI's own estimate (``what_happens_next``), at the configured Telegram rate.
    assert (
        "*After approval*: The first message goes out at 2026-11-03T10:00+00:00; 4 reachable recipients at 30 "
        "messages/s on Telegram: about 1 s to send."
    ) in text


async def test_personal_single_use_codes_and_skipping_quiet_hours_are_said_so(slack: SlackShop) -> None:
    contents = {"en": {"text": "Hi", "coupon": "WELCOME10"}, "zh": {"text": "你好", "coupon": "WELCOME10"}}
    notice = await _submitted_notice(
        slack, contents=contents, single_use_coupons=True, quiet_policy="skip", schedule="now", send_at=None
    )
    text = _texts(notice["blocks"])
    assert (
        "*Coupon*: personal single-use codes from `WELCOME10` (each recipient gets their own, e.g. `WELCOME10-" in text
    )
    assert "usable once and only by them)" in text
    assert "Sends as soon as it is approved." in text
    assert "People in their quiet hours (21:00-09:00 their time) don't get it (quiet policy: skip)." in text
    assert "within a few seconds" in text


async def test_approving_keeps_what_was_approved_and_replaces_only_the_button(slack: SlackShop) -> None:
    await _submitted_notice(slack)
    ts = slack.fake.history[OPS][-1]["ts"]
    await slack.send.click("campaign_approve", "spring", APPROVER, OPS, ts)
    done = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == ts)
    text = _texts(done.args["blocks"])
    assert "*Approved* by abe" in text and "*Reaches 4* of 5" in text and ">*Spring sale*" in text
    assert "needs approval" not in text
    assert _buttons(done.args["blocks"]) == []
    _no_live_markup(text)


async def test_campaign_name_shows_the_same_review_with_the_buttons_its_state_allows(slack: SlackShop) -> None:
    await _submitted_notice(slack)
    await slack.send.command("/campaign", "spring", VIEWER)  # looking is every staff member's right
    shown = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    text = _texts(shown.args["blocks"])
    assert "Campaign spring · awaiting approval" in text
    assert "*Reaches 4* of 5" in text and ">*Spring sale*" in text and "about 1 s to send" in text
    _no_live_markup(text)
    assert [a for a, _ in _buttons(shown.args["blocks"])] == ["campaign_approve", "campaign_cancel", "campaign_test"]
    await slack.send.command("/campaign", "<!channel>", OPERATOR)
    missing = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == OPERATOR)
    assert missing.args["text"] == "There is no campaign &lt;!channel&gt;. `/campaign` lists them."
    await slack.send.command("/campaign", "x" * 5000, OPERATOR)
    too_long = await slack.fake.wait_for("chat.postEphemeral", lambda a: "at most 80" in a.get("text", ""))
    assert too_long.args["user"] == OPERATOR


async def test_a_long_text_is_cut_in_the_preview_without_breaking_markup_and_says_so(slack: SlackShop) -> None:
    long_text = "**Big** " + "& <b>" * 600 + "[end](https://shop.example/end)"  # escaping grows it fivefold
    contents = {"en": {"text": long_text, "image_url": "https://shop.example/p.png"}}
    notice = await _submitted_notice(slack, contents=contents)
    sections = [b["text"]["text"] for b in notice["blocks"] if b["type"] == "section" and "text" in b]
    preview = next(s for s in sections if s.startswith("*English*"))
    assert len(preview) <= 3000
    assert "more characters go out)_" in preview
    body = preview.split("\n", 1)[1]
    assert body.count("&amp;") == body.count("&") - body.count("&lt;") - body.count("&gt;")  # no cut entity
    text = _texts(notice["blocks"])
    assert "Telegram shows a photo's text up to 1,024 characters: the last" in text


async def test_unknown_deliveries_are_explained_in_the_slack_report_with_the_approvers_way_out(
    slack: SlackShop,
) -> None:
    await _finished(slack)
    async with slack.shop.sessions() as session, session.begin():
        cd = campaign_deliveries.c
        await session.execute(update(campaign_deliveries).where(cd.address == "1").values(state="unknown"))
    await slack.send.command("/report", "campaign spring", OPERATOR)
    report = await slack.fake.wait_for("chat.postMessage", lambda a: a.get("text") == "Campaign spring: report")
    text = _texts(report.args["blocks"])
    assert "Unknown: 1" in text
    assert ":grey_question: *1 unknown*: the sending process stopped while Telegram" in text
    assert "they were not sent again, to avoid sending anyone the campaign twice." in text
    assert "An approver can send them again with `chatshop campaign resend-unknown spring`" in text


async def test_a_report_without_unknown_deliveries_says_nothing_about_them(slack: SlackShop) -> None:
    await _finished(slack)
    summary = await slack.fake.wait_for("chat.postMessage", lambda a: "finished" in a.get("text", ""))
    assert "resend-unknown" not in _texts(summary.args["blocks"])


async def test_a_hostile_staff_name_is_text_in_the_approval_notice(slack: SlackShop) -> None:
    await _people(slack)
    marketer = Actor.staff("<!channel> <https://evil.example|mia>", Role.OPERATOR)
    await slack.shop.bus.handle(campaign("spring", actor=marketer))
    await slack.shop.bus.handle(c.SubmitCampaign("spring", actor=marketer))
    await slack.shop.outbox.drain()
    notice = await slack.fake.wait_for("chat.postMessage", lambda a: a.get("channel") == OPS)
    text = _texts(notice.args["blocks"])
    said = "&lt;!channel&gt; &lt;https://evil.example|mia&gt;"
    assert f"Written by {said}, submitted by {said}" in text
    assert said in notice.args["text"]
    _no_live_markup(text + notice.args["text"])
    assert "<!channel>" not in text + notice.args["text"]
