"""Button clicks (block actions). Each acks at once; the domain decides, and its refusal is told ephemerally."""

from __future__ import annotations

import uuid
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bots.ops import stock
from bots.ops.orders import order_card
from bots.ops.support import SUPPORT_COUPON_BP, coupon_code, coupon_message
from channels.slack.blocks import (
    RECEIVE_STOCK,
    adjust_modal,
    esc,
    order_message,
    receive_modal,
    refund_modal,
    reject_modal,
    ship_modal,
)
from channels.slack.context import (
    PROVIDER_OUTAGE,
    Refused,
    SlackOps,
    answered,
    channel_of,
    message_ref,
    ops_of,
    parse_id,
    replace_card,
    user_of,
)
from channels.slack.notifier import update_approval
from domain import commands as c
from domain.errors import DomainError, IllegalTransition
from domain.model.staff import Permission

ENDED = ("cancelled", "refunded")  # a Cancel clicked again (or delivered twice) finds the order here


def _value(body: dict[str, Any]) -> str:
    return str(((body.get("actions") or [{}])[0]).get("value") or "")


async def _id(ops: SlackOps, channel: str | None, user: str, body: dict[str, Any]) -> int:
    """The number a button carries, or an answer saying it carries none (a forged or garbled click)."""
    number = parse_id(_value(body))
    if number is None:
        await ops.tell(channel, user, "That button carries no number I can read; nothing was done.")
        raise Refused("unreadable value")
    return number


async def _show_order(ops: SlackOps, body: dict[str, Any], channel: str | None, user: str, order_id: int) -> None:
    """The order card after an action: the card that was clicked is replaced (its old buttons would act on
    a state that is gone); a click from elsewhere gets a new card."""
    card = await order_card(ops.views, order_id, ops.now())
    if card is None:
        return
    if await replace_card(ops, card, (body.get("container") or {}).get("is_ephemeral"), body.get("response_url")):
        return
    await ops.show(channel, user, card.title, order_message(card))


async def approve(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    try:
        order_id = await _id(ops, channel, user, body)
        member = await ops.staff(channel, user, Permission.APPROVE_ORDER)
        await ops.attempt(channel, user, ops.bus.handle(c.ApproveOrder(order_id, actor=member.as_actor())))
    except Refused:
        return
    await update_approval(ops, order_id, "approved", member.name, ref=message_ref(body))


async def reject(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    try:
        order_id = await _id(ops, channel, user, body)
        await ops.staff(channel, user, Permission.APPROVE_ORDER)
    except Refused:
        return
    # A reason asked for an order that can no longer be rejected would be refused on submit: say so now.
    order = await ops.views.order(order_id)
    if order is None or order.status != "awaiting_approval":
        state = order.status.replace("_", " ") if order else "gone"
        await ops.tell(channel, user, f"Order #{order_id} was already decided: it is {state}. Nothing to reject.")
        return
    ref = message_ref(body)
    view = reject_modal(order_id, channel, ref.ts if ref else None)
    await ops.client.views_open(trigger_id=body["trigger_id"], view=view)


async def adjust(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    try:
        await ops.staff(channel, user, Permission.ADJUST_STOCK)
    except Refused:
        return
    sku = _value(body)[:64]
    found = await stock.find(ops.views, sku, limit=1) if sku else []
    if not found:
        await ops.tell(channel, user, f"No SKU {esc(sku)} any more.")
        return
    await ops.client.views_open(trigger_id=body["trigger_id"], view=adjust_modal(found[0], channel))


async def receive(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    try:
        await ops.staff(channel, user, Permission.ADJUST_STOCK)
    except Refused:
        return
    sku = _value(body)[:64]
    found = await stock.find(ops.views, sku, limit=1) if sku else []
    if not found or found[0].sku != sku:
        await ops.tell(channel, user, f"No SKU {esc(sku)} any more.")
        return
    await ops.client.views_open(trigger_id=body["trigger_id"], view=receive_modal(found[0], channel))


async def cancel(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    try:
        order_id = await _id(ops, channel, user, body)
        member = await ops.staff(channel, user)
        reason = f"cancelled by {member.name} from Slack"
        work = ops.bus.cancel(c.CancelOrder(order_id, reason, actor=member.as_actor()))
        await ops.attempt(channel, user, work, explain=lambda exc: _already(exc, order_id), outage=PROVIDER_OUTAGE)
    except Refused:
        return
    await ops.tell(channel, user, f"Order #{order_id} is cancelled; a paid order is refunded in full.")
    await _show_order(ops, body, channel, user, order_id)


def _already(exc: DomainError, order_id: int) -> str | None:
    """A second Cancel (a double click, a redelivery) is refused by the domain; say that it was done already."""
    if isinstance(exc, IllegalTransition) and exc.target == "cancelled" and exc.current in ENDED:
        return f"Order #{order_id} is already {exc.current}; nothing more was done."
    return None


async def _advance(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext, target: str) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    try:
        order_id = await _id(ops, channel, user, body)
        member = await ops.staff(channel, user)
        await ops.attempt(channel, user, ops.bus.handle(c.AdvanceOrder(order_id, target, actor=member.as_actor())))
    except Refused:
        return
    await _show_order(ops, body, channel, user, order_id)


async def pick(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await _advance(ack, body, context, "picking")


async def pack(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await _advance(ack, body, context, "packed")


async def refund(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    try:
        order_id = await _id(ops, channel, user, body)
        await ops.staff(channel, user, Permission.REFUND)
    except Refused:
        return
    card = await order_card(ops.views, order_id, ops.now())
    if card is not None:
        # The key travels in the modal: submitting this form again (or Slack delivering it twice) names
        # the same refund, which the domain returns instead of opening a second one.
        key = f"slack-refund-{uuid.uuid4().hex}"
        view = refund_modal(card, channel, key, _card_url(body))
        await ops.client.views_open(trigger_id=body["trigger_id"], view=view)


async def ship(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    try:
        order_id = await _id(ops, channel, user, body)
        await ops.staff(channel, user, Permission.FULFIL)
    except Refused:
        return
    view = ship_modal(order_id, channel, _card_url(body))
    await ops.client.views_open(trigger_id=body["trigger_id"], view=view)


def _card_url(body: dict[str, Any]) -> str | None:
    """Where to replace the clicked order card after its modal is submitted (an ephemeral card only)."""
    if (body.get("container") or {}).get("is_ephemeral") and body.get("response_url"):
        return str(body["response_url"])
    return None


async def close_ticket(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    try:
        ticket_id = await _id(ops, channel, user, body)
        member = await ops.staff(channel, user)
        await ops.attempt(channel, user, ops.bus.handle(c.CloseTicket(ticket_id, actor=member.as_actor())))
    except Refused:
        return
    # The thread's parent is updated by the TicketClosed subscriber, whoever closed the ticket.


async def send_coupon(ack: AsyncAck, body: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), channel_of(body), user_of(body)
    code = coupon_code()
    try:
        ticket_id = await _id(ops, channel, user, body)
        member = await ops.staff(channel, user)
        actor = member.as_actor()
        create = c.CreateCoupon(
            code, "percent", SUPPORT_COUPON_BP, usage_limit=1, description=f"support ticket #{ticket_id}", actor=actor
        )
        await ops.attempt(channel, user, ops.bus.handle(create))
        await ops.attempt(
            channel, user, ops.bus.handle(c.PostTicketMessage(ticket_id, coupon_message(code), actor=actor))
        )
    except Refused:
        return
    ref = message_ref(body)
    if ref is not None:
        text = f"{member.name} sent the shopper single-use coupon `{code}` (10% off)."
        await ops.client.chat_postMessage(channel=ref.channel, thread_ts=ref.ts, text=text)


def register(app: AsyncApp) -> None:
    app.action("approve_order")(answered(approve))
    app.action("reject_order")(answered(reject))
    app.action("adjust_stock")(answered(adjust))
    app.action(RECEIVE_STOCK)(answered(receive))
    app.action("order_cancel")(answered(cancel))
    app.action("order_pick")(answered(pick))
    app.action("order_pack")(answered(pack))
    app.action("order_refund")(answered(refund))
    app.action("order_ship")(answered(ship))
    app.action("close_ticket")(answered(close_ticket))
    app.action("send_coupon")(answered(send_coupon))
