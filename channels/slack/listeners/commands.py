"""Slash commands: ``/stock``, ``/order``, ``/report``. Each acks at once; the answer follows."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bots.ops import stock
from bots.ops.orders import order_card
from bots.ops.reports import parse_command
from channels.slack.blocks import order_message, stock_message
from channels.slack.context import Refused, ops_of
from channels.slack.reporting import post_report
from domain.errors import DomainError


async def stock_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), str(command.get("channel_id")), command["user_id"]
    try:
        await ops.staff(channel, user)
    except Refused:
        return
    query = str(command.get("text", "")).strip()
    if not query:
        await ops.tell(channel, user, "Usage: `/stock <sku or product name>`")
        return
    found = await stock.find(ops.views, query)
    blocks = stock_message(found, query)
    await ops.client.chat_postEphemeral(channel=channel, user=user, text=f"Stock for {query}", blocks=blocks)


async def order_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), str(command.get("channel_id")), command["user_id"]
    try:
        await ops.staff(channel, user)
    except Refused:
        return
    text = str(command.get("text", "")).strip().lstrip("#")
    card = await order_card(ops.views, int(text), ops.now()) if text.isdigit() else None
    if card is None:
        await ops.tell(channel, user, f"No order {text or '(none given)'}. Usage: `/order <id>`")
        return
    await ops.client.chat_postEphemeral(channel=channel, user=user, text=card.title, blocks=order_message(card))


async def report_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), str(command.get("channel_id")), command["user_id"]
    try:
        await ops.staff(channel, user)
        kind, period = parse_command(str(command.get("text", "")))
        await post_report(ops, channel, kind, period)
    except Refused:
        return
    except DomainError as exc:
        await ops.tell(channel, user, exc.message)


def register(app: AsyncApp) -> None:
    app.command("/stock")(stock_command)
    app.command("/order")(order_command)
    app.command("/report")(report_command)
