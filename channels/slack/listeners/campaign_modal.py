"""The "New campaign" modal: opened from the ``/campaign`` list's button or ``/campaign new``; its segment
inputs refresh the live count (``dispatch_action`` → ``views.update`` with the view's hash); its submission
creates a draft as the Slack user's staff member, and optionally submits it for approval.

The domain decides: the count is ``segment_audience``, the checks are ``parse_rule`` and ``draft_problems``
(shown beside their inputs with ``response_action: errors``), the roles are checked by the commands.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError

from channels.slack.blocks import CHANNEL_LABELS, COUNT_INPUTS, NEW_CAMPAIGN, campaign_modal, with_audience
from channels.slack.campaign_form import Segment, problem_block, read_draft, read_segment, read_state
from channels.slack.context import Refused, SlackOps, answered, ops_of, user_of
from domain import commands as c
from domain.errors import DomainError
from domain.model.staff import Actor
from domain.service_layer.campaign_drafts import draft_problems, segment_audience

log = logging.getLogger(__name__)
DEFAULT_CHANNELS = ("telegram", "webchat")
NOT_ENABLED = "Campaigns are not enabled on this server."
COUNTING = ":hourglass_flowing_sand: Counting the customers this segment reaches…"


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(view.get("private_metadata") or "{}"))


async def audience_text(ops: SlackOps, actor: Actor, segment: Segment, problems: dict[str, str]) -> str:
    """The modal's count line: matching and reachable customers, or why there is no count."""
    if problems:
        return f":warning: {next(iter(problems.values()))} Fix it to see the count."
    try:
        audience = await segment_audience(segment.rule, segment.channels, actor, ops.bus.ctx)
    except DomainError as exc:
        return f":warning: {exc.message}"
    matching = f":busts_in_silhouette: *{audience.matching}* customers match"
    if not segment.channels:
        return f"{matching}; pick a channel to reach them."
    on = ", ".join(CHANNEL_LABELS.get(ch, ch) for ch in segment.channels)
    return f"{matching} · *{audience.reachable}* reachable on {on} (opted in, not blocked)."


async def open_new_campaign(ops: SlackOps, trigger_id: str, channel: str | None, user: str) -> None:
    """Open the modal, then fill in the count: a trigger id expires in 3 s, a count over many customers may
    take longer. Raises ``Refused`` when the user is not staff (they have been told)."""
    member = await ops.staff(channel, user)
    categories = [(node.slug, node.name) for node in await ops.views.categories()]
    view = campaign_modal(categories, COUNTING, {"channel": channel}, DEFAULT_CHANNELS)
    opened = (await ops.client.views_open(trigger_id=trigger_id, view=view))["view"]
    segment, _ = read_segment({"channels": list(DEFAULT_CHANNELS)}, ops.config.currency)
    try:
        count = await audience_text(ops, member.as_actor(), segment, {})
    except RuntimeError:  # the context was not switched to the campaign unit of work
        count = f":warning: {NOT_ENABLED}"
    await _show_count(ops, opened["id"], opened["hash"], with_audience(view, count))


async def _show_count(ops: SlackOps, view_id: str, view_hash: str, view: dict[str, Any]) -> None:
    try:
        await ops.client.views_update(view_id=view_id, hash=view_hash, view=view)
    except SlackApiError as exc:
        if exc.response.get("error") != "hash_conflict":
            raise
        log.info("a newer change of view %s is already shown; this count is dropped", view_id)


async def new_campaign_clicked(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops = ops_of(context)
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    try:
        await open_new_campaign(ops, str(body["trigger_id"]), channel, user_of(body))
    except Refused:
        return


async def count_input_changed(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    """A segment input (or the channels) changed: recount, and show it in the same view."""
    await ack()
    ops, view, user = ops_of(context), body["view"], user_of(body)
    try:
        member = await ops.staff(_meta(view).get("channel"), user)
    except Refused:
        return
    segment, problems = read_segment(read_state(view), ops.config.currency)
    count = await audience_text(ops, member.as_actor(), segment, problems)
    await _show_count(ops, view["id"], view["hash"], with_audience(view, count))


async def new_campaign_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    ops, user = ops_of(context), user_of(body)
    channel = _meta(view).get("channel")
    member = await ops.views.staff_by_slack_user(user)
    if member is None or not member.active:
        await ack()
        with contextlib.suppress(Refused):
            await ops.staff(channel, user)  # tells them how to be added
        return
    actor = member.as_actor()
    draft, errors = read_draft(read_state(view), ops.config.currency)
    command = draft.command(actor)
    try:
        problems = await draft_problems(command, ops.bus.ctx)
    except RuntimeError:
        await ack()
        await ops.tell(channel, user, NOT_ENABLED)
        return
    for key, message in problems.items():
        errors.setdefault(problem_block(key), message)
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    try:
        await ops.attempt(channel, user, ops.bus.handle(command))
    except Refused:
        return  # e.g. a viewer: the domain's refusal was told
    done, follow = "saved as a draft", "Submit it for approval from `/campaign`."
    if draft.submit_now:
        try:
            await ops.attempt(channel, user, ops.bus.handle(c.SubmitCampaign(draft.name, actor=actor)))
            done, follow = "saved and submitted for approval", "An approver is asked in the ops channel."
        except Refused:
            done = "saved as a draft (not submitted)"
    audience = await segment_audience(draft.segment.rule, draft.segment.channels, actor, ops.bus.ctx)
    await ops.tell(
        channel,
        user,
        f"Campaign *{draft.name}* {done}: {audience.matching} customers match, "
        f"*{audience.reachable}* reachable (opted in, not blocked). {follow}",
    )


def register(app: AsyncApp) -> None:
    app.action(NEW_CAMPAIGN)(answered(new_campaign_clicked))
    for action_id in COUNT_INPUTS:
        app.action(action_id)(answered(count_input_changed))
    app.view(NEW_CAMPAIGN)(answered(new_campaign_submitted))
