"""``/campaign`` and its buttons: campaigns with their progress, submitted, approved, paused, resumed or cancelled
by staff; ``/campaign new`` and the list's "New campaign" button open the modal (``campaign_modal``).

Each acks at once; the domain decides (roles, legal moves) and its refusal is told ephemerally.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from channels.slack.blocks import campaign_decided_message, campaign_list_message
from channels.slack.context import Refused, SlackOps, answered, channel_of, ops_of, user_of
from channels.slack.listeners import campaign_modal, campaign_test
from channels.slack.notifier import campaign_reports, decision_text
from domain import commands as c
from domain.model.staff import Actor

Move = Callable[[str, Actor, str], c.Command]
MOVES: dict[str, tuple[Move, str]] = {
    "campaign_submit": (lambda name, actor, who: c.SubmitCampaign(name, actor), "submitted for approval"),
    "campaign_approve": (lambda name, actor, who: c.ApproveCampaign(name, actor), "approved"),
    "campaign_pause": (lambda name, actor, who: c.PauseCampaign(name, f"paused by {who} from Slack", actor), "paused"),
    "campaign_resume": (lambda name, actor, who: c.ResumeCampaign(name, actor), "resumed"),
    "campaign_cancel": (lambda name, actor, who: c.CancelCampaign(name, actor), "cancelled"),
}


async def _show_list(ops: SlackOps, channel: str, user: str) -> None:
    try:
        reports = await ops.attempt(channel, user, campaign_reports(ops))
    except RuntimeError:  # the context was not switched to the campaign unit of work
        await ops.tell(channel, user, "Campaigns are not enabled on this server.")
        return
    blocks = campaign_list_message(reports)
    await ops.show(channel, user, "Campaigns", blocks)


async def campaign_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), str(command.get("channel_id")), command["user_id"]
    try:
        if str(command.get("text") or "").strip().lower() == "new":
            await campaign_modal.open_new_campaign(ops, str(command["trigger_id"]), channel, user)
            return
        await ops.staff(channel, user)
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
            blocks=campaign_decided_message(name, decision),
            metadata=(body.get("message") or {}).get("metadata"),  # keep the notice findable (redeliveries)
        )


def register(app: AsyncApp) -> None:
    app.command("/campaign")(answered(campaign_command))
    for action_id in MOVES:
        app.action(action_id)(answered(campaign_action))
    campaign_modal.register(app)
    campaign_test.register(app)
