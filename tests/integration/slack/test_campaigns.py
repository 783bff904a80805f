"""Campaigns in Slack: ``/campaign`` with buttons by state, approval by click, and ops-channel notices."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, update

from bots.campaigns.dispatcher import Dispatcher, Limits
from bots.campaigns.links import LinkSigner
from bots.campaigns.ratelimit import LocalRateLimiter
from bots.campaigns.transport import Message
from channels.slack.notifier import campaign_reports
from channels.slack.registry import MessageRegistry
from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters import orm
from domain.model.campaigns import SendOutcome
from domain.service_layer.handlers.campaigns import pause_if_out_of_stock
from tests.integration.campaigns.helpers import APPROVER as APPROVER_ACTOR
from tests.integration.campaigns.helpers import MARKETER, Person, add_people, approved, campaign, store
from tests.integration.slack.conftest import APPROVER, OPERATOR, OPS, VIEWER, SlackShop

pytestmark = pytest.mark.timeout(30)


def _texts(node: object) -> str:
    """Every text in a Block Kit tree, one per line."""
    if isinstance(node, dict):
        own = [node["text"]] if isinstance(node.get("text"), str) else []
        return "\n".join(own + [_texts(v) for v in node.values() if isinstance(v, dict | list)])
    if isinstance(node, list):
        return "\n".join(_texts(v) for v in node)
    return ""


def _buttons(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["action_id"], e["value"]) for b in blocks if b["type"] == "actions" for e in b["elements"]]


class Recorder:
    """A campaign channel that sends to everyone except the chats in ``blocked``."""

    def __init__(self, blocked: set[str]) -> None:
        self.blocked = blocked

    async def send(self, message: Message) -> SendOutcome:
        return SendOutcome.blocked() if message.address in self.blocked else SendOutcome.sent()


async def _submitted(slack: SlackShop, name: str = "spring") -> None:
    await slack.shop.bus.handle(campaign(name))
    await slack.shop.bus.handle(c.SubmitCampaign(name, actor=MARKETER))


async def _status(slack: SlackShop, name: str) -> str:
    (report,) = await campaign_reports(slack.ops, name)
    return report.status


async def test_the_campaign_command_lists_campaigns_with_progress_and_the_buttons_their_state_allows(
    slack: SlackShop,
) -> None:
    await _submitted(slack, "spring")
    await approved(slack.shop, campaign("summer"))
    await slack.send.command("/campaign", "", APPROVER)
    listing = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == APPROVER)
    text = _texts(listing.args["blocks"])
    assert "*spring* · awaiting approval · sent 0/0" in text
    assert "*summer* · approved · sent 0/0" in text and "failed 0 · unknown 0" in text
    assert _buttons(listing.args["blocks"]) == [
        ("campaign_approve", "spring"),
        ("campaign_cancel", "spring"),
        ("campaign_test", "spring"),
        ("campaign_pause", "summer"),
        ("campaign_cancel", "summer"),
        ("campaign_test", "summer"),
        ("campaign_new", "new"),
    ]


async def test_a_submitted_campaign_is_posted_and_an_approvers_click_approves_it(slack: SlackShop) -> None:
    await _submitted(slack)
    await slack.shop.outbox.drain()
    posted = await slack.fake.wait_for("chat.postMessage", lambda a: a.get("channel") == OPS)
    assert "Campaign spring needs approval" in _texts(posted.args["blocks"])
    assert _buttons(posted.args["blocks"]) == [("campaign_approve", "spring")]
    ts = slack.fake.history[OPS][-1]["ts"]
    await slack.send.click("campaign_approve", "spring", APPROVER, OPS, ts)
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == ts)
    assert "*Approved* by abe" in _texts(update.args["blocks"])
    assert _buttons(update.args["blocks"]) == []
    assert await _status(slack, "spring") == "approved"
    await slack.send.click("campaign_approve", "spring", APPROVER, OPS, ts)  # a stale button: illegal now
    refusal = "Campaign spring is approved; it can't become approved."
    await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == APPROVER and a["text"] == refusal)
    assert len(slack.fake.called("chat.update")) == 1


async def test_a_viewers_approve_click_is_refused_ephemerally_and_changes_nothing(slack: SlackShop) -> None:
    await _submitted(slack)
    await slack.send.click("campaign_approve", "spring", VIEWER, OPS)
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    assert "A viewer may not" in refusal.args["text"]
    assert await _status(slack, "spring") == "awaiting_approval"
    assert slack.fake.called("chat.update") == []


async def test_a_campaign_pausing_itself_for_lack_of_stock_is_told_in_the_ops_channel(slack: SlackShop) -> None:
    shop = slack.shop
    await add_people(shop, [Person(telegram=i) for i in range(1, 3)], shop.clock.now())
    contents = {"en": {"text": "Our blue shoes", "skus": ["SHOE-BLU-42"]}}
    campaign_id = await approved(shop, campaign(contents=contents))
    await shop.bus.handle(c.AdjustStock("SHOE-BLU-42", "WEST", -2, "sold elsewhere", actor=c.SYSTEM))
    await shop.bus.handle(c.StartCampaignRun(campaign_id))
    await shop.outbox.drain()
    notice = await slack.fake.wait_for("chat.postMessage", lambda a: "paused" in a.get("text", ""))
    assert notice.args["channel"] == OPS
    assert "Campaign *spring* paused by system: out of stock: SHOE-BLU-42" in _texts(notice.args["blocks"])


async def _finished(slack: SlackShop) -> None:
    """Three recipients, one of whom blocked the bot: the campaign runs to its end."""
    shop = slack.shop
    await add_people(shop, [Person(telegram=i) for i in range(1, 4)], shop.clock.now())
    campaign_id = await approved(shop, campaign())
    await shop.bus.handle(c.StartCampaignRun(campaign_id))
    dispatcher = Dispatcher(
        store(shop),
        shop.bus,
        {"telegram": Recorder(blocked={"3"})},
        LocalRateLimiter(),
        LinkSigner("secret", "http://shop.test"),
        Limits(rate_per_second=1000, chat_per_second=1000, max_in_flight=10),
        stock_check=lambda cid: pause_if_out_of_stock(cid, shop.bus.ctx),
    )
    await dispatcher.drain()
    await shop.outbox.drain()


async def test_a_finished_campaign_posts_its_summary_to_the_ops_channel(slack: SlackShop) -> None:
    await _finished(slack)
    summary = await slack.fake.wait_for("chat.postMessage", lambda a: "finished" in a.get("text", ""))
    assert summary.args["channel"] == OPS
    text = _texts(summary.args["blocks"])
    assert "Campaign spring finished" in text
    assert "Recipients: *3*" in text
    assert "Sent: *2* · Failed: 0 · Blocked: 1 · Unknown: 0" in text
    assert "Opt-outs: 0" in text and "Orders: *0* · Revenue: *0.00 USD*" in text


async def test_report_campaign_gives_delivery_clicks_orders_and_revenue_per_thousand(slack: SlackShop) -> None:
    await _finished(slack)
    await slack.send.command("/report", "campaign spring", OPERATOR)
    report = await slack.fake.wait_for("chat.postMessage", lambda a: a.get("text") == "Campaign spring: report")
    text = _texts(report.args["blocks"])
    assert "Campaign spring · finished" in text
    assert "Sent: *2* · Failed: 0 · Blocked: 1 · Unknown: 0 · Delivered: 2" in text
    assert "Queued: 0 · Sending: 0 · Skipped: 0" in text
    assert "Clicks: 0 · Revenue per 1,000 messages: *0.00 USD*" in text
    await slack.send.command("/report", "campaign autumn", OPERATOR)
    told = await slack.fake.wait_for("chat.postEphemeral", lambda a: "autumn" in a.get("text", ""))
    assert told.args["text"] == "There is no campaign autumn."


# --- the outbox delivers at least once: a redelivered event must not post its notice twice ------------------
async def _redeliver(shop: Shop, consumer: str = "slack-campaigns") -> None:
    """As if the worker died after posting but before recording it: the outbox hands every event to
    ``consumer`` again, with the same event ids."""
    async with shop.sessions() as session, session.begin():
        done = orm.processed_messages.c
        await session.execute(delete(orm.processed_messages).where(done.consumer == consumer))
        await session.execute(
            update(orm.outbox).values(delivered_at=None, claimed_until=None, available_at=shop.clock.now())
        )
    assert await shop.outbox.drain() > 0


def _notices(slack: SlackShop) -> list[dict[str, Any]]:
    return [
        m for m in slack.fake.history.get(OPS, []) if (m.get("metadata") or {}).get("event_type") == "chatshop_notice"
    ]


async def test_redelivered_submitted_and_paused_events_post_their_notices_once_even_after_a_restart(
    slack: SlackShop,
) -> None:
    await _submitted(slack)
    await slack.shop.bus.handle(c.ApproveCampaign("spring", actor=APPROVER_ACTOR))
    await slack.shop.bus.handle(c.PauseCampaign("spring", "the copy has a typo", actor=MARKETER))
    await slack.shop.outbox.drain()
    kinds = [m["metadata"]["event_payload"]["kind"] for m in _notices(slack)]
    assert kinds == ["campaign_submitted", "campaign_paused"]
    await _redeliver(slack.shop)  # the same process: it remembers what it posted
    assert len(_notices(slack)) == 2
    slack.ops.registry = MessageRegistry(slack.ops.client)  # a restarted process remembers nothing...
    await _redeliver(slack.shop)
    assert len(_notices(slack)) == 2  # ...and finds its notices again by their metadata
    assert slack.fake.called("conversations.history")
    assert len(slack.fake.called("chat.postMessage")) == 2


async def test_a_redelivered_finished_event_posts_its_summary_once(slack: SlackShop) -> None:
    await _finished(slack)
    await slack.fake.wait_for("chat.postMessage", lambda a: "finished" in a.get("text", ""))
    await _redeliver(slack.shop)
    slack.ops.registry = MessageRegistry(slack.ops.client)
    await _redeliver(slack.shop)
    finished = [c for c in slack.fake.called("chat.postMessage") if "finished" in c.args.get("text", "")]
    assert len(finished) == 1
