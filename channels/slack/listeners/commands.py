"""Slash commands: ``/stock``, ``/order``, ``/report`` (and ``/report campaign <name>``). Each acks at once; the
answer follows."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bots.ops import stock
from bots.ops.orders import order_card
from bots.ops.reports import parse_command
from channels.slack.blocks import campaign_report_message, esc, order_message, stock_message
from channels.slack.context import Refused, SlackOps, answered, ops_of, parse_id
from channels.slack.notifier import campaign_reports
from channels.slack.reporting import post_report
from domain.errors import DomainError

MAX_QUERY = 100  # longer than any SKU or product name a person types


async def stock_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), str(command.get("channel_id")), command["user_id"]
    try:
        await ops.staff(channel, user)
    except Refused:
        return
    query = " ".join(str(command.get("text", "")).split())
    if not query:
        await ops.tell(channel, user, "Usage: `/stock <sku or product name>`")
        return
    if len(query) > MAX_QUERY:
        await ops.tell(
            channel,
            user,
            f"That is {len(query):,} characters: too long for a SKU or a product name. "
            f"Try at most {MAX_QUERY}, e.g. `/stock SHOE-RED-42` or `/stock running shoes`.",
        )
        return
    found = await stock.find(ops.views, query)
    await ops.show(channel, user, f"Stock for {query}", stock_message(found, query))


async def order_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), str(command.get("channel_id")), command["user_id"]
    try:
        await ops.staff(channel, user)
    except Refused:
        return
    text = " ".join(str(command.get("text", "")).split())
    order_id = parse_id(text)
    card = await order_card(ops.views, order_id, ops.now()) if order_id is not None else None
    if card is None:
        shown = esc(text if len(text) <= 30 else text[:30] + "…")
        what = f"`{shown}` is not an order number." if text else ""
        if order_id is not None:
            what = f"No order #{order_id}."
        await ops.tell(channel, user, f"{what} Usage: `/order <number>`, e.g. `/order 4002`.".strip())
        return
    await ops.show(channel, user, card.title, order_message(card))


async def report_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    await ack()
    ops, channel, user = ops_of(context), str(command.get("channel_id")), command["user_id"]
    text = str(command.get("text", "")).strip()
    try:
        await ops.staff(channel, user)
        if text.split(" ", 1)[0].lower() == "campaign":
            await _campaign_report(ops, channel, user, text.partition(" ")[2].strip())
            return
        kind, period = parse_command(text)
        await post_report(ops, channel, kind, period)
    except Refused:
        return
    except DomainError as exc:
        await ops.tell(channel, user, exc.message)


async def _campaign_report(ops: SlackOps, channel: str, user: str, name: str) -> None:
    if not name:
        await ops.tell(channel, user, "Usage: `/report campaign <name>` (`/campaign` lists them).")
        return
    try:
        (report,) = await campaign_reports(ops, name)
    except RuntimeError:  # the context was not switched to the campaign unit of work
        await ops.tell(channel, user, "Campaigns are not enabled on this server.")
        return
    await ops.client.chat_postMessage(
        channel=channel, text=f"Campaign {report.name}: report", blocks=campaign_report_message(report)
    )


def register(app: AsyncApp) -> None:
    app.command("/stock")(answered(stock_command))
    app.command("/order")(answered(order_command))
    app.command("/report")(answered(report_command))
