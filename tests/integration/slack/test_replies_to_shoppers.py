"""Staff write in Slack's format; shoppers read plain text: links with their address, people by name,
emoji instead of shortcodes, and no entities."""

from __future__ import annotations

from tests.integration.slack.conftest import APPROVER, OPERATOR, SlackShop
from tests.integration.slack.test_support import _open_ticket, _reply


async def _said(slack: SlackShop, ticket_id: int, n: int) -> list[str]:
    async def arrived() -> bool:
        found = await slack.shop.views.ticket(ticket_id)
        return found is not None and len(found["messages"]) == n

    await slack.eventually(arrived)
    ticket = await slack.shop.views.ticket(ticket_id)
    assert ticket is not None
    return [m["text"] for m in ticket["messages"]]


async def test_a_staff_reply_reaches_the_shopper_as_plain_text_not_slack_markup(slack: SlackShop) -> None:
    _, ticket_id, thread_ts = await _open_ticket(slack)
    slack.fake.users["UCARL"] = {"id": "UCARL", "real_name": "Carl Cole", "profile": {"display_name": "carl"}}
    # As Slack delivers what a person typed: links and mentions as tokens, & < > as entities.
    typed = (
        "<@UAPPROVER> and <@UCARL> checked: <https://ups.example/track?n=1Z9&amp;lang=en|UPS tracking> :smile: "
        "&lt;b&gt;not bold&lt;/b&gt; &amp; more :+1::skin-tone-3: <https://shop.example/faq> <@UNOBODY>"
    )
    await slack.send.event(_reply(thread_ts, OPERATOR, typed, "1780000900.000100"))
    (said,) = await _said(slack, ticket_id, 1)
    assert said == (
        "abe and carl checked: UPS tracking (https://ups.example/track?n=1Z9&lang=en) 😄 "
        "<b>not bold</b> & more 👍🏼 https://shop.example/faq a colleague"
    )


async def test_special_mentions_channels_and_mail_links_read_as_words(slack: SlackShop) -> None:
    _, ticket_id, thread_ts = await _open_ticket(slack)
    typed = "Ask <!here> in <#C0FAQ|faq> or write to <mailto:help@shop.example|help@shop.example> :tada:"
    await slack.send.event(_reply(thread_ts, APPROVER, typed, "1780000900.000200"))
    (said,) = await _said(slack, ticket_id, 1)
    assert said == "Ask @here in #faq or write to help@shop.example 🎉"


async def test_an_unknown_shortcode_and_a_time_stay_as_typed(slack: SlackShop) -> None:
    _, ticket_id, thread_ts = await _open_ticket(slack)
    await slack.send.event(_reply(thread_ts, APPROVER, "Open 10:30:45, :not_an_emoji_at_all: ok", "1780000900.000300"))
    (said,) = await _said(slack, ticket_id, 1)
    assert said == "Open 10:30:45, :not_an_emoji_at_all: ok"
