"""``/campaign`` and its buttons: campaigns with their progress, submitted, approved, paused, resumed or cancelled
by staff; ``/campaign new`` and the list's "New campaign" button open the modal (``campaign_modal``).

Each acks at once; the domain decides (roles, legal moves) and its refusal is told ephemerally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from channels.slack.blocks import Block, campaign_decided_message, campaign_list_message, esc
from channels.slack.campaign_preview import campaign_detail_message, campaign_review
from channels.slack.context import Refused, SlackOps, answered, channel_of, ops_of, user_of
from channels.slack.listeners import campaign_modal, campaign_test
from channels.slack.notifier import campaign_reports, decision_text
from domain import commands as c
from domain.model.staff import Actor

Move = Callable[[str, Actor, str], c.Command]
MOVES: dict[str, tuple[Move, str]] = {
    "campaign_submit": (lambda name, actor, who: c.SubmitCampaign(name, actor=actor), "submitted for approval"),
    "campaign_approve": (lambda name, actor, who: c.ApproveCampaign(name, actor=actor), "approved"),
    "campaign_pause": (
        lambda name, actor, who: c.PauseCampaign(name, f"paused by {who} from Slack", actor=actor),
        "paused",
    ),
    "campaign_resume": (lambda name, actor, who: c.ResumeCampaign(name, actor=actor), "resumed"),
    "campaign_cancel": (lambda name, actor, who: c.CancelCampaign(name, actor=actor), "cancelled"),
}


async def _show_list(ops: SlackOps, channel: str, user: str) -> None:
    try:
        reports = await ops.attempt(channel, user, campaign_reports(ops))
    except RuntimeError:  # the context was not switched to the campaign unit of work
        await ops.tell(channel, user, "Campaigns are not enabled on this server.")
        return
    blocks = campaign_list_message(reports)
    await ops.show(channel, user, "Campaigns", blocks)


async def _show_one(ops: SlackOps, channel: str, user: str, name: str) -> None:
    """``/campaign NAME``: what an approver decides on (text per language, audience, schedule, duration)."""
    if len(name) > MAX_NAME:
        await ops.tell(channel, user, f"A campaign name is at most {MAX_NAME} characters.")
        return
    audience = await ops.attempt(channel, user, ops.views.campaign_audience(name))
    if audience is None:
        await ops.tell(channel, user, f"There is no campaign {esc(name)}. `/campaign` lists them.")
        return
    config = ops.config
    blocks = campaign_detail_message(audience, config.currency, config.campaign_rate_per_second, ops.now())
    await ops.show(channel, user, f"Campaign {audience.campaign.name}", blocks)


async def _review(ops: SlackOps, name: str) -> list[Block] | None:
    """What the approver approved, to stay readable in the ops channel (only the button gives way)."""
    audience = await ops.views.campaign_audience(name)
    if audience is None:
        return None
    return campaign_review(audience, ops.config.currency, ops.config.campaign_rate_per_second, ops.now())


MAX_NAME = 80  # the longest campaign name the domain accepts


async def campaign_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), str(command.get("channel_id")), command["user_id"]
    text = str(command.get("text") or "").strip()
    try:
        if text.lower() == "new":
            await campaign_modal.open_new_campaign(ops, str(command["trigger_id"]), channel, user)
            return
        await ops.staff(channel, user)
        if text:
            await _show_one(ops, channel, user, text)
        else:
            await _show_list(ops, channel, user)
    except Refused:
        return


async def campaign_action(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    action = body["actions"][0]
    make, done = MOVES[str(action["action_id"])]
    name = str(action["value"])
    try:
        member = await ops.staff(channel, user)
        await ops.attempt(channel, user, ops.bus.handle(make(name, member.as_actor(), member.name)))
    except Refused:
        return
    await ops.tell(channel, user, f"Campaign {name} {done}.")
    container = body.get("container") or {}
    if done == "approved" and not container.get("is_ephemeral") and container.get("message_ts") and channel:
        # The approval request in the ops channel: replace its button with who approved and when.
        decision = decision_text("approved", member.name, ops.stamp())
        await ops.client.chat_update(
            channel=channel,
            ts=str(container["message_ts"]),
            text=f"Campaign {name}: approved by {member.name}",
            blocks=campaign_decided_message(name, decision, await _review(ops, name)),
            metadata=(body.get("message") or {}).get("metadata"),  # keep the notice findable (redeliveries)
        )


def register(app: AsyncApp) -> None:
    app.command("/campaign")(answered(campaign_command))
    for action_id in MOVES:
        app.action(action_id)(answered(campaign_action))
    campaign_modal.register(app)
    campaign_test.register(app)
