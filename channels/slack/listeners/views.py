"""Modal submissions. Input is checked before the ack (errors show in the modal); the command runs after it."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bots.ops.orders import order_card
from channels.slack.blocks import RECEIVE_STOCK, esc
from channels.slack.context import PROVIDER_OUTAGE, Refused, SlackOps, answered, ops_of, replace_card, user_of
from channels.slack.notifier import update_approval
from channels.slack.registry import MessageRef
from domain import commands as c
from domain.errors import DomainError, ValidationFailed
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


MAX_DELTA = 1_000_000  # more units than any shelf holds: a typo, not a stocktake
MAX_REASON = 200  # what the stock ledger keeps
MAX_REJECT_REASON = 400  # the order keeps "rejected: " + this
MAX_AMOUNT = 10**12  # minor units: ten billion in a two-decimal currency, far beyond any order


def parse_delta(text: str) -> int | None:
    cleaned = text.strip().replace("+", "", 1).replace(",", "").replace("_", "")
    if not cleaned.lstrip("-").isascii() or not cleaned.lstrip("-").isdigit() or len(cleaned) > 8:
        return None
    delta = int(cleaned)
    return delta if delta and abs(delta) <= MAX_DELTA else None


async def _refresh_card(ops: SlackOps, meta: dict[str, Any], order_id: int) -> None:
    """The order card whose button opened this modal, replaced with the order as it is now."""
    card = await order_card(ops.views, order_id, ops.now())
    if card is not None:
        await replace_card(ops, card, True, meta.get("card_url"))


async def _stock_now(ops: SlackOps, sku: str, warehouse: str, delta: int, exc: DomainError) -> str | None:
    """A removal the stock can't cover, told with what is there now (not the would-be result)."""
    if not isinstance(exc, ValidationFailed) or delta >= 0:
        return None
    found = await ops.views.stock(sku)
    row = next((r for r in found.rows if r.warehouse_code == warehouse), None) if found else None
    if row is None:
        return None
    held = row.reserved + row.allocated
    return (
        f"Can't remove {-delta:,} of {sku} at {warehouse}: it has {row.on_hand:,} on hand, {held:,} of them held "
        f"for orders, so at most {max(0, row.available):,} can be removed."
    )


async def adjust_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    delta, reason, warehouse = parse_delta(_field(view, "delta")), _field(view, "reason"), _field(view, "warehouse")
    errors = {}
    if delta is None:
        errors["delta"] = f"A whole number of units, not zero, up to {MAX_DELTA:,}: 5 adds, -2 removes."
    if not reason:
        errors["reason"] = "Say why: the stock ledger keeps it."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"At most {MAX_REASON} characters, please ({len(reason):,} now)."
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    assert delta is not None
    ops, meta, user = ops_of(context), _meta(view), user_of(body)
    channel = meta.get("channel")
    try:
        member = await ops.staff(channel, user)
    except Refused:
        return
    sku = str(meta["sku"])
    try:
        await ops.bus.handle(c.AdjustStock(sku, warehouse, delta, reason, actor=member.as_actor()))
    except DomainError as exc:
        await ops.tell(channel, user, await _stock_now(ops, sku, warehouse, delta, exc) or exc.message)
        return
    await ops.tell(channel, user, f"Adjusted {esc(sku)} at {esc(warehouse)} by {delta:+d} ({esc(reason)}).")


async def receive_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    quantity = parse_delta(_field(view, "quantity"))
    warehouse, reason = _field(view, "warehouse").upper(), _field(view, "reason") or "received"
    errors = {}
    if quantity is None or quantity < 0:
        errors["quantity"] = f"A whole number of units, from 1 to {MAX_DELTA:,}."
    if not warehouse:
        errors["warehouse"] = "Which warehouse took it in?"
    if len(reason) > MAX_REASON:
        errors["reason"] = f"At most {MAX_REASON} characters, please."
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    assert quantity is not None
    ops, meta, user = ops_of(context), _meta(view), user_of(body)
    channel, sku = meta.get("channel"), str(meta["sku"])
    try:
        member = await ops.staff(channel, user)
        await ops.attempt(
            channel, user, ops.bus.handle(c.ReceiveStock(sku, warehouse, quantity, reason, actor=member.as_actor()))
        )
    except Refused:
        return
    now = await ops.views.stock(sku)
    available = f"; {now.available} available now" if now else ""
    await ops.tell(channel, user, f"Received {quantity:,} × {esc(sku)} at {esc(warehouse)}{available}.")


async def reject_submitted(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
) -> None:
    reason = _field(view, "reason")
    if not reason:
        await ack(response_action="errors", errors={"reason": "The shopper is told why; please give a reason."})
        return
    if len(reason) > MAX_REJECT_REASON:
        await ack(response_action="errors", errors={"reason": f"At most {MAX_REJECT_REASON} characters, please."})
        return
    await ack()
    ops, meta, user = ops_of(context), _meta(view), user_of(body)
    channel, order_id = meta.get("channel"), int(meta["order_id"])
    try:
        member = await ops.staff(channel, user)
        work = ops.bus.cancel(c.RejectOrder(order_id, reason, actor=member.as_actor()))
        # A second submission of this form is refused by the domain ("already decided by …: it is refunded").
        await ops.attempt(channel, user, work, outage=PROVIDER_OUTAGE)
    except Refused:
        return
    ref = MessageRef(str(channel), str(meta["ts"])) if channel and meta.get("ts") else None
    await update_approval(ops, order_id, "rejected", member.name, reason, ref)


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
            elif amount > MAX_AMOUNT:
                errors["amount"] = "That is more than any order here; check the amount."
    if not reason:
        errors["reason"] = "Say why: the shopper and the books keep it."
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"At most {MAX_REASON} characters, please."
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
        command = c.RefundOrder(order_id, amount, reason, actor=member.as_actor(), idempotency_key=key)
        status = await ops.attempt(channel, user, ops.bus.refund(command), outage=PROVIDER_OUTAGE)
    except Refused:
        return
    what = Money(amount, ops.config.currency).format() if amount is not None else "everything still refundable"
    again = "" if ops.submissions.first_time(key) else " (this form was already submitted once)"
    await ops.tell(channel, user, f"Refund of {what} on order #{order_id}: {refund_outcome(ops, status)}{again}.")
    await _refresh_card(ops, meta, order_id)


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
    for key, value, most in (("carrier", carrier, 60), ("tracking", tracking, 120)):
        if len(value) > most:
            errors[key] = f"At most {most} characters."
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    ops, meta, user = ops_of(context), _meta(view), user_of(body)
    channel, order_id = meta.get("channel"), int(meta["order_id"])
    try:
        member = await ops.staff(channel, user)
        command = c.ShipOrder(order_id, carrier, tracking, actor=member.as_actor())
        await ops.attempt(channel, user, ops.bus.handle(command))
    except Refused:
        return
    await ops.tell(channel, user, f"Order #{order_id} shipped with {esc(carrier)} {esc(tracking)}.")
    await _refresh_card(ops, meta, order_id)


def register(app: AsyncApp) -> None:
    app.view("adjust_stock")(answered(adjust_submitted))
    app.view("reject_order")(answered(reject_submitted))
    app.view(RECEIVE_STOCK)(answered(receive_submitted))
    app.view("refund_order")(answered(refund_submitted))
    app.view("ship_order")(answered(ship_submitted))
