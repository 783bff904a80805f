"""Events API: the App Home tab, and staff replies in support threads (→ the shopper's chat)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bots.ops.home import home
from channels.slack.blocks import home_view
from channels.slack.context import Refused, answered, ops_of
from channels.slack.mrkdwn import mentioned_users, to_plain
from channels.slack.registry import MessageRef
from domain import commands as c
from domain.model.staff import Permission


async def home_opened(event: dict[str, Any], context: AsyncBoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    ops, user = ops_of(context), str(event["user"])
    if await ops.views.staff_by_slack_user(user) is None:
        view = {
            "type": "home",
            "blocks": [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": "You are not set up as shop staff; an admin can add you."},
                }
            ],
        }
    else:
        asked = await ops.registry.asked_orders(ops.config.ops_channel)
        view = home_view(await home(ops.views, ops.today(), asked))
    await ops.client.views_publish(user_id=user, view=view)


async def thread_reply(event: dict[str, Any], context: AsyncBoltContext) -> None:
    ops = ops_of(context)
    channel, thread_ts, user = event.get("channel"), event.get("thread_ts"), event.get("user")
    # Only people's replies inside a thread of the support channel: not edits, joins or bots (us included).
    if (
        not thread_ts
        or not user
        or event.get("subtype")
        or event.get("bot_id")
        or thread_ts == event.get("ts")
        or channel != ops.config.support_channel
    ):
        return
    ticket_id = await ops.registry.ticket_for_thread(MessageRef(str(channel), str(thread_ts)))
    text = str(event.get("text") or "").strip()
    if ticket_id is None or not text:
        return
    try:
        member = await ops.staff(str(channel), str(user), Permission.SUPPORT, thread_ts=str(thread_ts))
        # What the shopper reads: Slack's links, mentions, emoji codes and entities as plain text.
        said = to_plain(text, await ops.names_of(mentioned_users(text)))
        reply = c.PostTicketMessage(ticket_id, said, actor=member.as_actor())
        await ops.attempt(str(channel), str(user), ops.bus.handle(reply), thread_ts=str(thread_ts))
    except Refused:
        return


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(answered(home_opened))
    app.event("message")(answered(thread_reply))
