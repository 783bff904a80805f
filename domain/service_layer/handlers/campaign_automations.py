"""Automations and what feeds them: abandoned carts, win-back, back in stock (stock subscriptions), and
crediting orders to the campaign that last touched the customer.

Automations (``trigger``) are campaigns too: consent, the frequency cap, quiet hours, the unsubscribe
button and attribution apply to them exactly as to a broadcast. Each queues deliveries person by person,
with ``run`` naming the occasion so that the UNIQUE delivery row makes every occasion count once:
abandoned cart -> the cart's timestamp; back in stock -> the stock subscription's id; win-back -> the id
of the customer's last paid order (ordering again and lapsing again is a new occasion).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import commands as c
from domain import events
from domain.errors import NotFound
from domain.model.campaigns import (
    Campaign,
    CampaignStatus,
    Recipient,
    StockSubscription,
    Trigger,
    back_in_stock_candidates,
)
from domain.model.staff import Permission
from domain.service_layer.context import Context
from domain.service_layer.handlers.campaign_queue import queue_deliveries
from domain.service_layer.unit_of_work import UnitOfWork


async def run_campaign_automations(cmd: c.RunCampaignAutomations, ctx: Context) -> int:
    """The automation job (every few minutes, once across processes), one transaction:

    - abandoned carts: customers whose cart has been untouched for ``trigger_hours`` (and less than a
      week), once per abandonment (run = cart timestamp);
    - win-back: customers whose last paid order is ``trigger_hours`` (N days) old or more, once per
      lapse (run = that order's id), at most ``limit`` per campaign and firing;
    - back in stock: pending subscriptions whose SKU is available (the ``BackInStock`` event normally
      got there first; this catches a campaign approved after the restock, or a missed event).
    """
    now = ctx.now()
    queued = 0
    async with ctx.uow() as uow:
        repo = uow.campaigns
        automations = [
            x for x in await repo.all((CampaignStatus.APPROVED, CampaignStatus.SENDING)) if x.trigger is not None
        ]
        for campaign in automations:
            assert campaign.id is not None
            if campaign.switch_on():
                await repo.save(campaign, now)
            if campaign.trigger == Trigger.ABANDONED_CART:
                horizon = now - timedelta(hours=campaign.trigger_hours)
                carts = await repo.pending_cart_customers(horizon, horizon - timedelta(days=7))
                for customer_id, touched in carts[: cmd.limit]:
                    recipients = await repo.recipients(campaign, now, only=(customer_id,))
                    queued += await queue_deliveries(uow, campaign, int(touched.timestamp()), recipients, now)
            elif campaign.trigger == Trigger.WIN_BACK:
                queued += await _queue_win_back(uow, campaign, now, cmd.limit)
        queued += await _queue_back_in_stock(uow, automations, (), cmd.limit, now)
        await uow.commit()
    return queued


async def _queue_win_back(uow: UnitOfWork, campaign: Campaign, now: datetime, limit: int) -> int:
    assert campaign.id is not None
    repo = uow.campaigns
    lapsed = dict(await repo.lapsed_customers(campaign, now - timedelta(hours=campaign.trigger_hours), now, limit))
    if not lapsed:
        return 0
    queued = 0
    for recipient in await repo.recipients(campaign, now, only=tuple(lapsed)):
        queued += await queue_deliveries(uow, campaign, lapsed[recipient.customer_id], [recipient], now)
    return queued


def _preferring(campaign: Campaign, channel: str) -> Campaign:
    """The campaign with the channel the shopper asked on tried first (if the campaign uses it)."""
    if channel not in campaign.channels or campaign.channels[0] == channel:
        return campaign
    return dataclasses.replace(campaign, channels=(channel, *(ch for ch in campaign.channels if ch != channel)))


async def _queue_back_in_stock(
    uow: UnitOfWork, campaigns: list[Campaign], skus: tuple[str, ...], limit: int, now: datetime
) -> int:
    """One delivery per pending subscription whose SKU is available, run = the subscription's id, and the
    subscription used up in the same transaction: a replayed event or a second sweep queues nothing.

    Without an approved back-in-stock campaign for the SKU the subscription stays pending. With one but
    nobody to message (no marketing consent, unreachable, outside the campaign's segment) it is skipped.
    """
    if not any(x.trigger == Trigger.BACK_IN_STOCK for x in campaigns):
        return 0
    repo = uow.campaigns
    queued = 0
    for sub in await repo.pending_back_in_stock(skus, limit):
        candidates = back_in_stock_candidates(campaigns, sub.sku)
        if not candidates:
            continue
        chosen: Campaign | None = None
        recipients: list[Recipient] = []
        for campaign in candidates:
            recipients = await repo.recipients(_preferring(campaign, sub.channel), now, only=(sub.customer_id,))
            if recipients:
                chosen = campaign
                break
        if chosen is not None:
            assert chosen.id is not None and sub.id is not None
            if chosen.switch_on():
                await repo.save(chosen, now)
            queued += await queue_deliveries(uow, chosen, sub.id, recipients, now)
        sub.mark(reached=chosen is not None, campaign_id=(chosen or candidates[0]).id, now=now)
        await repo.save_stock_subscription(sub)
    return queued


async def notify_back_in_stock(cmd: c.NotifyBackInStock, ctx: Context) -> int:
    """A SKU came back (the ``BackInStock`` event, through the outbox): notify who asked. Safe to replay."""
    now = ctx.now()
    async with ctx.uow() as uow:
        repo = uow.campaigns
        automations = await repo.all((CampaignStatus.APPROVED, CampaignStatus.SENDING))
        queued = await _queue_back_in_stock(uow, automations, (cmd.sku,) if cmd.sku else (), cmd.limit, now)
        await uow.commit()
        return queued


@dataclass(frozen=True)
class StockSubscriptionResult:
    """``subscribed``; ``already`` (a pending one exists); ``in_stock`` (nothing to wait for)."""

    status: str
    sku: str
    marketing_opt_in: bool  # False: the notice is marketing and will not reach them until they opt in


async def subscribe_to_stock(cmd: c.SubscribeToStock, ctx: Context) -> StockSubscriptionResult:
    cmd.actor.require_owner_or(cmd.customer_id, Permission.MANAGE_CUSTOMERS)
    now = ctx.now()
    async with ctx.uow() as uow:
        repo = uow.campaigns
        customer = await uow.customers.get(cmd.customer_id)
        if customer is None or customer.id is None:
            raise NotFound(f"There is no customer {cmd.customer_id}.")
        variant = await uow.catalog.variant_by_sku(cmd.sku)
        if variant is None or variant.id is None:
            raise NotFound(f"No product with SKU {cmd.sku.strip().upper()}.")
        opted_in = bool(customer.marketing_opt_in)
        existing = await repo.stock_subscription(customer.id, variant.id)
        if existing is not None and existing.pending:
            return StockSubscriptionResult("already", variant.sku, opted_in)
        if await uow.inventory.sellable(variant.id) > 0:  # what the cart and checkout count, not all stock
            return StockSubscriptionResult("in_stock", variant.sku, opted_in)
        if existing is not None and existing.id is not None:
            await repo.remove_stock_subscription(existing.id)  # used up: asking again is a new occasion
        sub = StockSubscription(customer.id, variant.id, variant.sku, cmd.channel, now)
        if not await repo.add_stock_subscription(sub):
            return StockSubscriptionResult("already", variant.sku, opted_in)
        await uow.commit()
        return StockSubscriptionResult("subscribed", variant.sku, opted_in)


async def attribute_order(cmd: c.AttributeOrder, ctx: Context) -> int | None:
    """Last touch (a delivery sent or a click) before the order, within that campaign's attribution window."""
    async with ctx.uow() as uow:
        repo = uow.campaigns
        placed = await repo.order_placed(cmd.order_id)
        if placed is None:
            raise NotFound(f"There is no order #{cmd.order_id}.")
        customer_id, at = placed
        longest = max([x.attribution_days for x in await repo.all()] or [0])
        touch = await repo.last_touch(customer_id, at - timedelta(days=longest), at)
        if touch is None:
            return None
        campaign_id, touched_at = touch
        campaign = await repo.get(campaign_id)
        if campaign is None or touched_at < at - timedelta(days=campaign.attribution_days):
            return None
        if await repo.set_order_campaign(cmd.order_id, campaign_id):
            uow.publish(events.OrderAttributed(cmd.order_id, customer_id, campaign_id))
        await uow.commit()
        return campaign_id
