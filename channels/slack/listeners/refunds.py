"""Refunds that reached staff: Retry on a failed refund, and "Mark refunded" on a refund a person must make.

Both update the notice in place with what happened. The domain checks the REFUND permission and makes a
repeated click harmless (retrying a refund twice returns the same new refund; marking twice books once).
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from channels.slack.blocks import REFUND_MARK_DONE, REFUND_RETRY, esc, refund_done_modal, refund_settled
from channels.slack.context import (
    PROVIDER_OUTAGE,
    Refused,
    SlackOps,
    answered,
    channel_of,
    message_ref,
    ops_of,
    user_of,
)
from channels.slack.registry import MessageRef
from domain import commands as c
from domain.model.staff import Permission

RETRIED = {
    "succeeded": ":white_check_mark: Retried by {who} at {when}: refunded.",
    "failed": ":x: Retried by {who} at {when}: refused again; the new refusal is posted with its reason.",
    "needs_action": ":raised_hand: Retried by {who} at {when}: must be refunded by hand; see the Refund needed task.",
    "pending": ":hourglass_flowing_sand: Retried by {who} at {when}: sent; the provider has not answered yet "
    "and is asked again automatically.",
}


async def _settle(ops: SlackOps, ref: MessageRef | None, outcome: str) -> bool:
    """Replace the notice's buttons with ``outcome``; False when there is no message to update."""
    message = await ops.registry.message(ref) if ref is not None else None
    if ref is None or message is None:
        return False
    await ops.client.chat_update(
        channel=ref.channel,
        ts=ref.ts,
        text=outcome,
        blocks=refund_settled(list(message.get("blocks") or []), outcome),
        metadata=message.get("metadata"),  # the notice stays findable for a redelivered event
    )
    return True


async def retry(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    refund_id = int(body["actions"][0]["value"])
    try:
        member = await ops.staff(channel, user)
        work = ops.bus.retry_refund(c.RetryRefund(refund_id, actor=member.as_actor()))
        status = await ops.attempt(channel, user, work, outage=PROVIDER_OUTAGE)
    except Refused:
        return
    outcome = RETRIED.get(status, "Retried by {who} at {when}: " + status).format(who=f"<@{user}>", when=ops.stamp())
    if not await _settle(ops, message_ref(body), outcome):
        await ops.tell(channel, user, outcome)


async def mark_done_clicked(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    try:
        await ops.staff(channel, user, Permission.REFUND)
    except Refused:
        return
    ref = message_ref(body)
    refund_id = int(body["actions"][0]["value"])
    metadata = (await ops.registry.message(ref) or {}).get("metadata") if ref else None
    payload = (metadata or {}).get("event_payload") or {}
    order_id = int(payload.get("order_id") or 0)
    view = refund_done_modal(refund_id, order_id, channel, ref.ts if ref else None)
    await ops.client.views_open(trigger_id=body["trigger_id"], view=view)


async def mark_done_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    element: dict[str, Any] = view["state"]["values"].get("reference", {}).get("reference") or {}
    reference = str(element.get("value") or "").strip()
    if not reference:
        await ack(response_action="errors", errors={"reference": "Say what was done: the provider's refund id."})
        return
    await ack()
    ops, user = ops_of(context), user_of(body)
    meta = dict(json.loads(view.get("private_metadata") or "{}"))
    channel, refund_id = meta.get("channel"), int(meta["refund_id"])
    try:
        member = await ops.staff(channel, user)
        work = ops.bus.handle(c.MarkRefundDone(refund_id, reference, actor=member.as_actor()))
        await ops.attempt(channel, user, work)
    except Refused:
        return
    outcome = f":white_check_mark: Refunded by <@{user}> at {ops.stamp()}, ref {esc(reference)}"
    ref = MessageRef(str(channel), str(meta["ts"])) if channel and meta.get("ts") else None
    if not await _settle(ops, ref, outcome):
        await ops.tell(channel, user, f"Refund #{refund_id} is booked as refunded (ref {esc(reference)}).")


def register(app: AsyncApp) -> None:
    app.action(REFUND_RETRY)(answered(retry))
    app.action(REFUND_MARK_DONE)(answered(mark_done_clicked))
    app.view(REFUND_MARK_DONE)(answered(mark_done_submitted))
