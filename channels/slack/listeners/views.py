"""Modal submissions. Input is checked before the ack (errors show in the modal); the command runs after it."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from channels.slack.context import PROVIDER_OUTAGE, Refused, SlackOps, ops_of, user_of
from channels.slack.notifier import decision_text, update_approval
from channels.slack.registry import MessageRef
from domain import commands as c
from domain.model.money import Money


def _meta(view: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(view.get("private_metadata") or "{}"))


def _field(view: dict[str, Any], block_id: str) -> str:
    """The value of an input block, whatever element it holds."""
    element = view["state"]["values"].get(block_id, {})
    for state in element.values():
        if state.get("type") == "static_select":
            return str((state.get("selected_option") or {}).get("value") or "")
        return str(state.get("value") or "").strip()
    return ""


def parse_delta(text: str) -> int | None:
    try:
        delta = int(text.replace("+", "", 1))
    except ValueError:
        return None
    return delta or None


async def adjust_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    delta, reason, warehouse = parse_delta(_field(view, "delta")), _field(view, "reason"), _field(view, "warehouse")
    errors = {}
    if delta is None:
        errors["delta"] = "A whole number of units, not zero: 5 adds, -2 removes."
    if not reason:
        errors["reason"] = "Say why: the stock ledger keeps it."
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    assert delta is not None
    ops, meta, user = ops_of(context), _meta(view), user_of(body)
    channel = meta.get("channel")
    try:
        member = await ops.staff(channel, user)
        command = c.AdjustStock(str(meta["sku"]), warehouse, delta, reason, member.as_actor())
        await ops.attempt(channel, user, ops.bus.handle(command))
    except Refused:
        return
    await ops.tell(channel, user, f"Adjusted {meta['sku']} at {warehouse} by {delta:+d} ({reason}).")


async def reject_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    reason = _field(view, "reason")
    if not reason:
        await ack(response_action="errors", errors={"reason": "The shopper is told why; please give a reason."})
        return
    await ack()
    ops, meta, user = ops_of(context), _meta(view), user_of(body)
    channel, order_id = meta.get("channel"), int(meta["order_id"])
    try:
        member = await ops.staff(channel, user)
        work = ops.bus.cancel(c.RejectOrder(order_id, reason, member.as_actor()))
        # A second submission of this form is refused by the domain ("already decided by …: it is refunded").
        await ops.attempt(channel, user, work, outage=PROVIDER_OUTAGE)
    except Refused:
        return
    ref = MessageRef(str(channel), str(meta["ts"])) if channel and meta.get("ts") else None
    await update_approval(ops, order_id, decision_text("rejected", member.name, ops.stamp(), reason), ref)


async def refund_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    ops = ops_of(context)
    text, reason = _field(view, "amount"), _field(view, "reason")
    amount: int | None = None
    errors = {}
    if text:
        try:
            amount = Money.parse(text, ops.config.currency).amount
        except ValueError:
            errors["amount"] = f"An amount in {ops.config.currency}, like 12.50 (or empty for everything)."
        else:
            if amount <= 0:
                errors["amount"] = "A refund is a positive amount."
    if not reason:
        errors["reason"] = "Say why: the shopper and the books keep it."
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    meta, user = _meta(view), user_of(body)
    channel, order_id = meta.get("channel"), int(meta["order_id"])
    # One refund per form: the key made when the modal opened (the view id for a modal opened before keys).
    key = str(meta.get("key") or f"slack-view-{view['id']}")
    try:
        member = await ops.staff(channel, user)
        command = c.RefundOrder(order_id, amount, reason, member.as_actor(), idempotency_key=key)
        status = await ops.attempt(channel, user, ops.bus.refund(command), outage=PROVIDER_OUTAGE)
    except Refused:
        return
    what = Money(amount, ops.config.currency).format() if amount is not None else "everything still refundable"
    again = "" if ops.submissions.first_time(key) else " (this form was already submitted once)"
    await ops.tell(channel, user, f"Refund of {what} on order #{order_id}: {refund_outcome(ops, status)}{again}.")


def refund_outcome(ops: SlackOps, status: str) -> str:
    """A refund's status as the person who asked for it needs to hear it."""
    where = "in the ops channel" if ops.config.ops_channel else "with `chatshop order show`"
    return {
        "succeeded": "done",
        "failed": f"refused by the payment provider; the reason and a Retry button are {where}",
        "needs_action": f"it must be refunded by hand at the provider that took the payment; the task is {where}",
        "pending": "sent; the provider has not answered yet and is asked again automatically",
    }.get(status, status)


async def ship_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext) -> None:
    carrier, tracking = _field(view, "carrier"), _field(view, "tracking")
    errors = {k: "Required." for k, v in (("carrier", carrier), ("tracking", tracking)) if not v}
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    ops, meta, user = ops_of(context), _meta(view), user_of(body)
    channel, order_id = meta.get("channel"), int(meta["order_id"])
    try:
        member = await ops.staff(channel, user)
        command = c.ShipOrder(order_id, carrier, tracking, member.as_actor())
        await ops.attempt(channel, user, ops.bus.handle(command))
    except Refused:
        return
    await ops.tell(channel, user, f"Order #{order_id} shipped with {carrier} {tracking}.")


def register(app: AsyncApp) -> None:
    app.view("adjust_stock")(adjust_submitted)
    app.view("reject_order")(reject_submitted)
    app.view("refund_order")(refund_submitted)
    app.view("ship_order")(ship_submitted)
