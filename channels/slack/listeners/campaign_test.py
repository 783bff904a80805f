"""The "Send test…" button in ``/campaign``: a modal for your own address, then ``SendCampaignTest``.

The domain checks the role, the channel and the address; its refusal shows beside the address input.
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from channels.slack.blocks import CAMPAIGN_TEST, campaign_test_modal
from channels.slack.campaign_form import read_state
from channels.slack.context import Refused, answered, channel_of, ops_of, user_of
from domain import commands as c
from domain.errors import DomainError


async def send_test_clicked(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    name = str(body["actions"][0]["value"])
    try:
        await ops.staff(channel, user)
        found = await ops.views.campaigns.campaign(name)
    except Refused:
        return
    if found is None:
        await ops.tell(channel, user, f"There is no campaign {name} any more.")
        return
    campaign = found.campaign
    view = campaign_test_modal(name, campaign.channels, tuple(campaign.contents), channel)
    await ops.client.views_open(trigger_id=str(body["trigger_id"]), view=view)


async def send_test_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    ops, user = ops_of(context), user_of(body)
    meta = dict(json.loads(view.get("private_metadata") or "{}"))
    channel, name = meta.get("channel"), str(meta["campaign"])
    member = await ops.views.staff_by_slack_user(user)
    if member is None or not member.active:
        await ack()
        try:
            await ops.staff(channel, user)  # tells them how to be added
        except Refused:
            return
        return
    values = read_state(view)
    to, address, locale = (values.get(key) for key in ("channel", "address", "locale"))
    command = c.SendCampaignTest(
        name, str(to or ""), str(address or ""), locale if isinstance(locale, str) else None, actor=member.as_actor()
    )
    try:
        used = await ops.bus.handle(command)
    except DomainError as exc:
        await ack(response_action="errors", errors={"address": exc.message})
        return
    await ack()
    await ops.tell(channel, user, f"Test of *{name}* ({used}) is on its way to {to} {command.address.strip()}.")


def register(app: AsyncApp) -> None:
    app.action(CAMPAIGN_TEST)(answered(send_test_clicked))
    app.view(CAMPAIGN_TEST)(answered(send_test_submitted))
