"""Outbox subscribers: domain events the Slack bot posts (approvals, low stock, support threads).

They run on the outbox worker, after commit. A Slack failure raises, so the outbox retries the event later;
each posting step checks what is already there first, so a retry does not post twice where it can tell.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bots.ops import stock
from bots.ops.orders import decision_of, money, order_card
from bots.ops.stock import low_stock_alert
from bots.ops.support import handoff
from channels.slack.blocks import (
    Block,
    approval_fallback,
    approval_message,
    automation_message,
    campaign_finished_message,
    campaign_paused_message,
    campaign_submitted_message,
    esc,
    extra_payment_message,
    extra_payment_text,
    handoff_message,
    is_settled,
    low_stock_message,
    refund_failed_message,
    refund_needed_message,
    refund_settled,
    webhook_disabled_message,
)
from channels.slack.blocks.reorder import reorder_message, reorder_text
from channels.slack.campaign_preview import approval_fallback as approval_fallback_text
from channels.slack.campaign_preview import campaign_approval_message
from channels.slack.context import SlackOps
from channels.slack.registry import APPROVAL_EVENT, NOTICE_EVENT, TICKET_EVENT, MessageRef, metadata
from domain import commands as c
from domain import events as ev
from domain.errors import NotFound
from domain.events_reorder import ReorderSuggestionsReady
from domain.model.campaigns import CampaignReport

log = logging.getLogger(__name__)
Handler = Callable[[str, ev.Event], Awaitable[None]]
# One subscription per concern, so a failing support thread does not hold back approvals:
# consumer name -> (events, what it posts). chatshop/subscribers lists these with every other subscriber.
SLACK_SUBSCRIPTIONS: dict[str, tuple[frozenset[str], str]] = {
    "slack-approvals": (
        frozenset({"OrderNeedsApproval", "OrderStatusChanged"}),
        "approval cards, updated when decided",
    ),
    "slack-stock": (frozenset({"LowStock"}), "low-stock alerts"),
    "slack-support": (
        frozenset({"TicketOpened", "TicketMessagePosted", "TicketClosed"}),
        "a thread per support ticket, the shopper's messages in it",
    ),
    "slack-refunds": (
        frozenset({"RefundFailed", "RefundNeedsAction", "ExtraPaymentReceived", "RefundSucceeded"}),
        "refunds and payments staff must act on",
    ),
    "slack-campaigns": (
        frozenset({"CampaignSubmitted", "CampaignPaused", "CampaignFinished"}),
        "campaigns to approve, paused or finished",
    ),
    "slack-webhooks": (
        frozenset({"WebhookSubscriptionDisabled", "AutomationNotice"}),
        "a webhook disabled by the system, automation notices",
    ),
    "slack-reorder": (frozenset({"ReorderSuggestionsReady"}), "the weekly reorder suggestions"),
}


async def post_approval(ops: SlackOps, event: ev.OrderNeedsApproval) -> None:
    channel = ops.config.ops_channel
    if not channel:
        log.warning("order #%d needs approval but CHATSHOP_SLACK_OPS_CHANNEL is not set", event.order_id)
        return
    card = await order_card(ops.views, event.order_id, ops.now())
    if card is None or await ops.registry.approval(channel, event.order_id) is not None:
        return  # gone, or already posted (a redelivered event)
    response = await ops.client.chat_postMessage(
        channel=channel,
        text=approval_fallback(card),
        blocks=approval_message(card),
        metadata=metadata(APPROVAL_EVENT, order_id=event.order_id),
    )
    ops.registry.remember_approval(event.order_id, MessageRef(str(response["channel"]), str(response["ts"])))


async def update_approval(
    ops: SlackOps, order_id: int, verdict: str, who: str, reason: str | None = None, ref: MessageRef | None = None
) -> None:
    """Replace the buttons with who decided and when, and the header with the outcome (in place)."""
    decision = decision_text(verdict, who, ops.stamp(), reason)
    headline = f"{VERDICT_ICONS.get(verdict, ':information_source:')} Order #{order_id} {verdict} by {who} at "
    headline += f"{ops.now():%H:%M}"
    channel = ops.config.ops_channel
    ref = ref or (await ops.registry.approval(channel, order_id) if channel else None)
    card = await order_card(ops.views, order_id, ops.now())
    if ref is None or card is None:
        return
    await ops.client.chat_update(
        channel=ref.channel,
        ts=ref.ts,
        text=f"{card.title}: {decision}",
        blocks=approval_message(card, decision, headline),
        metadata=metadata(APPROVAL_EVENT, order_id=order_id),
    )
    ops.registry.mark_decided(order_id)


VERDICT_ICONS = {"approved": ":white_check_mark:", "rejected": ":x:"}


def decision_text(verdict: str, who: str, when: str, reason: str | None = None) -> str:
    """Who decided and why; the name and the reason were typed by people, so they are escaped here."""
    icon = ":white_check_mark:" if verdict == "approved" else ":x:"
    return f"{icon} *{verdict.capitalize()}* by {esc(who)} at {when}" + (f": {esc(reason)}" if reason else "")


REJECTED = "rejected: "  # how RejectOrder words the order's cancel reason


async def decided_elsewhere(ops: SlackOps, event: ev.OrderStatusChanged) -> None:
    """An approval decided outside Slack (the CLI, the admin API): update the message too, with the reason
    of a rejection (the order keeps it as its cancel reason)."""
    if event.old != "awaiting_approval" or ops.registry.is_decided(event.order_id):
        return
    verdict = decision_of(event.new) or event.new.replace("_", " ")
    reason = None
    if verdict == "rejected":
        order = await ops.views.order(event.order_id)
        cancel_reason = (order.cancel_reason if order else None) or ""
        reason = cancel_reason.removeprefix(REJECTED) if cancel_reason.startswith(REJECTED) else cancel_reason
    await update_approval(ops, event.order_id, verdict, event.actor, reason or None)


async def post_low_stock(ops: SlackOps, event: ev.LowStock) -> None:
    if not ops.config.ops_channel:
        return
    found = await stock.find(ops.views, event.sku, limit=1)
    item = found[0] if found and found[0].sku == event.sku else None
    text = low_stock_alert(item.title if item else event.sku, event.available, event.threshold)
    await ops.client.chat_postMessage(
        channel=ops.config.ops_channel, text=esc(text), blocks=low_stock_message(text, event.sku, item)
    )


async def _thread_of(ops: SlackOps, ticket_id: int) -> MessageRef | None:
    ticket = await ops.views.ticket(ticket_id)
    return MessageRef.decode(ticket.get("external_thread")) if ticket else None


async def open_thread(ops: SlackOps, event: ev.TicketOpened) -> None:
    channel = ops.config.support_channel
    if not channel:
        log.warning("ticket #%d opened but CHATSHOP_SLACK_SUPPORT_CHANNEL is not set", event.ticket_id)
        return
    if await _thread_of(ops, event.ticket_id) is not None:
        return  # a redelivered event: the thread exists
    summary = await handoff(ops.views, event.ticket_id)
    if summary is None:
        return
    response = await ops.client.chat_postMessage(
        channel=channel,
        text=f"Ticket #{event.ticket_id} from {esc(summary.customer)}: {esc(summary.subject)}",
        blocks=handoff_message(summary),
        metadata=metadata(TICKET_EVENT, ticket_id=event.ticket_id),
    )
    ref = MessageRef(str(response["channel"]), str(response["ts"]))
    ops.registry.remember_thread(event.ticket_id, ref)
    await ops.bus.handle(c.LinkTicketThread(event.ticket_id, ref.encode()))


async def shopper_said(ops: SlackOps, event: ev.TicketMessagePosted) -> None:
    if event.author_kind != "shopper" or not ops.config.support_channel:
        return  # staff replies come from the thread itself
    ref = await _thread_of(ops, event.ticket_id)
    if ref is None:
        raise LookupError(f"ticket #{event.ticket_id} has no Slack thread yet")  # retried after TicketOpened
    text = f"*Shopper:* {esc(event.text)}"  # what the shopper typed, inert in mrkdwn
    await ops.client.chat_postMessage(channel=ref.channel, thread_ts=ref.ts, text=text)


async def ticket_closed(ops: SlackOps, event: ev.TicketClosed) -> None:
    ref = await _thread_of(ops, event.ticket_id)
    summary = await handoff(ops.views, event.ticket_id)
    if ref is None or summary is None:
        return
    await ops.client.chat_update(
        channel=ref.channel,
        ts=ref.ts,
        text=f"Ticket #{event.ticket_id} closed by {event.actor}",
        blocks=handoff_message(summary, closed_by=event.actor),
        metadata=metadata(TICKET_EVENT, ticket_id=event.ticket_id),
    )


def handlers(ops: SlackOps) -> dict[str, Handler]:
    """Each Slack subscriber's handler by consumer name (``SLACK_SUBSCRIPTIONS``); chatshop/subscribers
    subscribes them."""

    async def approvals(event_id: str, event: ev.Event) -> None:
        if isinstance(event, ev.OrderNeedsApproval):
            await post_approval(ops, event)
        elif isinstance(event, ev.OrderStatusChanged):
            await decided_elsewhere(ops, event)

    async def stock(event_id: str, event: ev.Event) -> None:
        if isinstance(event, ev.LowStock):
            await post_low_stock(ops, event)

    async def support(event_id: str, event: ev.Event) -> None:
        if isinstance(event, ev.TicketOpened):
            await open_thread(ops, event)
        elif isinstance(event, ev.TicketMessagePosted):
            await shopper_said(ops, event)
        elif isinstance(event, ev.TicketClosed):
            await ticket_closed(ops, event)

    async def refunds(event_id: str, event: ev.Event) -> None:
        if isinstance(event, ev.RefundFailed):
            await post_refund_failed(ops, event, event_id)
        elif isinstance(event, ev.RefundNeedsAction):
            await post_refund_needed(ops, event, event_id)
        elif isinstance(event, ev.ExtraPaymentReceived):
            await post_extra_payment(ops, event, event_id)
        elif isinstance(event, ev.RefundSucceeded):
            await refund_booked(ops, event)

    async def campaigns(event_id: str, event: ev.Event) -> None:
        if isinstance(event, ev.CampaignSubmitted):
            await post_campaign_submitted(ops, event, event_id)
        elif isinstance(event, ev.CampaignPaused):
            await post_campaign_paused(ops, event, event_id)
        elif isinstance(event, ev.CampaignFinished):
            await post_campaign_finished(ops, event, event_id)

    async def webhooks(event_id: str, event: ev.Event) -> None:
        if isinstance(event, ev.WebhookSubscriptionDisabled) and event.actor == "system":
            await post_webhook_disabled(ops, event, event_id)
        elif isinstance(event, ev.AutomationNotice):
            blocks = automation_message(event.rule, event.text)
            await post_notice(ops, event_id, "automation", esc(event.text), blocks, rule=event.rule)

    async def reorder(event_id: str, event: ev.Event) -> None:
        if isinstance(event, ReorderSuggestionsReady):
            blocks = reorder_message(event.lines, event.covered)
            await post_notice(ops, event_id, "reorder", reorder_text(event.lines), blocks)

    return {
        "slack-reorder": reorder,
        "slack-approvals": approvals,
        "slack-stock": stock,
        "slack-support": support,
        "slack-refunds": refunds,
        "slack-campaigns": campaigns,
        "slack-webhooks": webhooks,
    }


# --- campaigns ---------------------------------------------------------------------------------------
async def campaign_reports(ops: SlackOps, name_or_id: str | int | None = None) -> list[CampaignReport]:
    """Campaign reports as ``chatshop campaign list/show`` reads them: every campaign, or the one named (one
    query either way, through the campaign views)."""
    reports = await ops.views.campaigns.reports(name_or_id)
    if name_or_id is not None and not reports:
        raise NotFound(f"There is no campaign {name_or_id}.")
    return reports


async def post_notice(
    ops: SlackOps, event_id: str, kind: str, text: str, blocks: list[Block], **payload: int | str
) -> MessageRef | None:
    """Post a notice for outbox event ``event_id`` to the ops channel, once: the message carries the event id
    in its metadata, and a redelivered event finds it there (as ``post_approval`` finds its message)."""
    channel = ops.config.ops_channel
    if not channel:
        return None
    if await ops.registry.notice(channel, event_id) is not None:
        log.info("%s notice for event %s is already posted", kind, event_id)
        return None
    response = await ops.client.chat_postMessage(
        channel=channel,
        text=text,
        blocks=blocks,
        metadata=metadata(NOTICE_EVENT, event_id=event_id, kind=kind, **payload),
    )
    ref = MessageRef(str(response["channel"]), str(response["ts"]))
    ops.registry.remember_notice(event_id, ref)
    return ref


async def post_campaign_submitted(ops: SlackOps, event: ev.CampaignSubmitted, event_id: str) -> None:
    if not ops.config.ops_channel:
        log.warning("campaign %s awaits approval but CHATSHOP_SLACK_OPS_CHANNEL is not set", event.campaign)
        return
    audience = await ops.views.campaign_audience(event.campaign_id)
    if audience is None:  # gone since (a draft deleted): say what the event knows
        text = f"Campaign {event.campaign} needs approval (submitted by {esc(event.actor)})"
        blocks = campaign_submitted_message(event.campaign, event.actor, event.reachable)
    else:
        config = ops.config
        text = approval_fallback_text(audience, event.actor)
        blocks = campaign_approval_message(
            audience, config.currency, config.campaign_rate_per_second, ops.now(), event.actor
        )
    await post_notice(ops, event_id, "campaign_submitted", text, blocks, campaign_id=event.campaign_id)


async def post_campaign_paused(ops: SlackOps, event: ev.CampaignPaused, event_id: str) -> None:
    await post_notice(
        ops,
        event_id,
        "campaign_paused",
        f"Campaign {event.campaign} paused: {event.reason}",
        campaign_paused_message(event.campaign, event.reason, event.actor),
        campaign_id=event.campaign_id,
    )


async def post_campaign_finished(ops: SlackOps, event: ev.CampaignFinished, event_id: str) -> None:
    if not ops.config.ops_channel:
        return
    try:
        (report,) = await campaign_reports(ops, event.campaign_id)
    except NotFound:
        return
    await post_notice(
        ops,
        event_id,
        "campaign_finished",
        f"Campaign {report.name} finished: {report.sent} of {report.recipients} sent",
        campaign_finished_message(report),
        campaign_id=event.campaign_id,
    )


# --- refunds that failed or need a person, money that came twice -------------------------------------
def _amount(amount: int, currency: str) -> str:
    return money(amount, currency) if currency else "the amount"  # events written before they carried it


async def post_refund_failed(ops: SlackOps, event: ev.RefundFailed, event_id: str) -> None:
    if not ops.config.ops_channel:
        log.warning("refund #%d failed but CHATSHOP_SLACK_OPS_CHANNEL is not set", event.refund_id)
        return
    amount = _amount(event.amount, event.currency)
    await post_notice(
        ops,
        event_id,
        "refund_failed",
        f"Refund of {amount} on order #{event.order_id} failed ({esc(event.provider)}): {esc(event.reason)}",
        refund_failed_message(event.order_id, event.refund_id, amount, event.provider, event.reason),
        order_id=event.order_id,
        refund_id=event.refund_id,
    )


async def post_refund_needed(ops: SlackOps, event: ev.RefundNeedsAction, event_id: str) -> None:
    if not ops.config.ops_channel:
        log.warning("refund #%d needs a person but CHATSHOP_SLACK_OPS_CHANNEL is not set", event.refund_id)
        return
    amount = _amount(event.amount, event.currency)
    await post_notice(
        ops,
        event_id,
        "refund_needed",
        f"Refund needed: {amount} on order #{event.order_id}, by hand at {esc(event.provider)} "
        f"(charge {esc(event.provider_payment_id)})",
        refund_needed_message(
            event.order_id, event.refund_id, amount, event.provider, event.provider_payment_id, event.reason
        ),
        order_id=event.order_id,
        refund_id=event.refund_id,
    )


async def post_extra_payment(ops: SlackOps, event: ev.ExtraPaymentReceived, event_id: str) -> None:
    if not ops.config.ops_channel:
        return
    # Whether the shop can ask that provider for the money back (else a RefundNeedsAction follows).
    automatic = ops.bus.ctx.provider(event.provider) is not None
    text = extra_payment_text(
        event.order_id, _amount(event.amount, event.currency), event.provider, event.order_status, automatic
    )
    await post_notice(ops, event_id, "extra_payment", text, extra_payment_message(text), order_id=event.order_id)


async def refund_booked(ops: SlackOps, event: ev.RefundSucceeded) -> None:
    """A refund that needed a person was marked done outside Slack (``chatshop order refund-done``): its task
    in the ops channel says so too, instead of offering a button for work already done."""
    channel = ops.config.ops_channel
    if not channel:
        return
    refund = await ops.views.refund(event.refund_id)
    if refund is None or ops.bus.ctx.provider(refund.provider) is not None:
        return  # the provider refunded it: there never was a task
    task = await ops.registry.notice_of(channel, "refund_needed", refund_id=event.refund_id)
    if task is None or is_settled(list(task.get("blocks") or [])):
        return  # none posted, or already updated by the Slack button that booked it
    who = refund.actor.rsplit(" / ", 1)[-1]  # MarkRefundDone appends the person who marked it
    reference = (refund.provider_refund_id or "").removeprefix("manual:")
    outcome = f":white_check_mark: Refunded by {esc(who)} at {ops.stamp()}" + (
        f", ref {esc(reference)}" if reference else ""
    )
    await ops.client.chat_update(
        channel=channel,
        ts=str(task["ts"]),
        text=outcome,
        blocks=refund_settled(list(task.get("blocks") or []), outcome),
        metadata=task.get("metadata"),
    )


# --- outbound webhooks ---------------------------------------------------------------------------------
async def post_webhook_disabled(ops: SlackOps, event: ev.WebhookSubscriptionDisabled, event_id: str) -> None:
    """A subscription the shop turned off because it kept failing: someone has to look at the receiver."""
    await post_notice(
        ops,
        event_id,
        "webhook_disabled",
        f"Webhook {event.subscription_id} disabled: {esc(event.reason)}",
        webhook_disabled_message(event.subscription_id, event.url, event.reason),
        subscription_id=event.subscription_id,
    )
