"""Campaign commands: create, submit, approve, pause/resume/cancel, runs, automations and attribution.

The repository comes with the unit of work (``uow.campaigns``, see ``domain/adapters/campaigns_uow.py``).

Automations (``trigger``) are campaigns too: consent, the frequency cap, quiet hours, the unsubscribe
button and attribution apply to them exactly as to a broadcast. Each queues deliveries person by person,
with ``run`` naming the occasion so that the UNIQUE delivery row makes every occasion count once:
abandoned cart -> the cart's timestamp; back in stock -> the stock subscription's id; win-back -> the id
of the customer's last paid order (ordering again and lapsing again is a new occasion).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from domain import commands as c
from domain import events
from domain.errors import NotFound, ValidationFailed
from domain.model.campaigns import (
    Campaign,
    CampaignReport,
    CampaignStatus,
    Content,
    DeliveryState,
    FrequencyCap,
    QuietHours,
    Recipient,
    ScheduleKind,
    StockSubscription,
    Trigger,
    back_in_stock_candidates,
    parse_hhmm,
    require_role,
)
from domain.model.coupons import personal_code_example
from domain.model.staff import Actor, Permission, Role
from domain.service_layer.context import Context
from domain.service_layer.unit_of_work import UnitOfWork

TRIGGERS = tuple(t.value for t in Trigger)  # abandoned_cart, back_in_stock, win_back


class CampaignRepository(Protocol):
    async def get(self, name_or_id: str | int, lock: bool = False) -> Campaign | None: ...
    async def add(self, campaign: Campaign, now: datetime) -> int: ...
    async def save(self, campaign: Campaign, now: datetime) -> None: ...
    async def all(self, statuses: tuple[CampaignStatus, ...] = ()) -> list[Campaign]: ...
    async def due(self, now: datetime) -> list[Campaign]: ...
    async def count(self, campaign: Campaign, now: datetime) -> dict[str, int]: ...
    async def recipients(self, campaign: Campaign, now: datetime, only: tuple[int, ...] = ()) -> list[Recipient]: ...
    async def add_deliveries(
        self, campaign_id: int, run: int, recipients: list[Recipient], now: datetime
    ) -> list[Recipient]: ...
    async def open_deliveries(self, campaign_id: int) -> int: ...
    async def skip_open(self, campaign_id: int, state: DeliveryState, now: datetime) -> int: ...
    async def requeue_unknown(self, campaign_id: int, run: int | None, note: str, now: datetime) -> int: ...
    async def out_of_stock(self, skus: tuple[str, ...]) -> list[str]: ...
    async def last_touch(self, customer_id: int, since: datetime, until: datetime) -> tuple[int, datetime] | None: ...
    async def report(self, campaign: Campaign, currency: str) -> CampaignReport: ...
    async def pending_cart_customers(
        self, older_than: datetime, newer_than: datetime
    ) -> list[tuple[int, datetime]]: ...
    async def lapsed_customers(
        self, campaign: Campaign, paid_before: datetime, now: datetime, limit: int
    ) -> list[tuple[int, int]]: ...
    async def stock_subscription(self, customer_id: int, variant_id: int) -> StockSubscription | None: ...
    async def add_stock_subscription(self, sub: StockSubscription) -> bool: ...
    async def remove_stock_subscription(self, subscription_id: int) -> None: ...
    async def save_stock_subscription(self, sub: StockSubscription) -> None: ...
    async def pending_back_in_stock(self, skus: tuple[str, ...], limit: int) -> list[StockSubscription]: ...
    async def set_order_campaign(self, order_id: int, campaign_id: int) -> bool: ...
    async def order_placed(self, order_id: int) -> tuple[int, datetime] | None: ...
    async def delivery_for_chat(
        self, delivery_id: int, worker: str
    ) -> tuple[int, int, str, str, str | None] | None: ...
    async def mark_sent(self, delivery_id: int, worker: str, now: datetime) -> bool: ...


def campaigns_of(uow: UnitOfWork) -> CampaignRepository:
    repo = getattr(uow, "campaigns", None)
    if repo is None:
        raise RuntimeError(
            "this unit of work has no campaign repository; build the context with SqlCampaignUnitOfWork "
            "(domain/adapters/campaigns_uow.py)"
        )
    return cast(CampaignRepository, repo)


async def _get(repo: CampaignRepository, name: str | int, lock: bool = True) -> Campaign:
    campaign = await repo.get(name, lock=lock)
    if campaign is None:
        raise NotFound(f"There is no campaign {name}.")
    return campaign


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{value!r} is not a time like 2026-12-01T10:00:00+00:00.") from None
    if at.tzinfo is None:
        raise ValidationFailed(f"Give {value!r} a time zone offset, e.g. +00:00.")
    return at


def build_campaign(cmd: c.CreateCampaign, now: datetime) -> Campaign:
    try:
        schedule = ScheduleKind(cmd.schedule)
    except ValueError:
        raise ValidationFailed("schedule is now, at or cron.") from None
    if cmd.trigger is not None and cmd.trigger not in TRIGGERS:
        raise ValidationFailed(f"Automations are triggered by {', '.join(TRIGGERS)}.")
    contents = {str(locale): Content.from_json(dict(data)) for locale, data in cmd.contents.items()}
    campaign = Campaign(
        name=cmd.name,
        contents=contents,
        channels=tuple(cmd.channels),
        segment=dict(cmd.segment),
        created_by=cmd.actor.name,
        created_at=now,
        schedule=schedule,
        send_at=_when(cmd.send_at),
        cron=cmd.cron,
        quiet=QuietHours(parse_hhmm(cmd.quiet_hours[0]), parse_hhmm(cmd.quiet_hours[1])),
        quiet_policy=cmd.quiet_policy,
        cap=FrequencyCap(cmd.cap_messages, cmd.cap_days),
        attribution_days=cmd.attribution_days,
        trigger=cmd.trigger,
        trigger_hours=cmd.trigger_hours,
        single_use_coupons=cmd.single_use_coupons,
    )
    if schedule == ScheduleKind.CRON:
        from domain.model.campaigns import next_cron

        next_cron(campaign.cron or "", now)  # validates the expression now rather than at approval
    return campaign


async def coupon_problem(uow: UnitOfWork, code: str, single_use: bool) -> str | None:
    """Why a campaign cannot offer this coupon code (shared, or as the template of personal codes), or None."""
    coupon = await uow.sales.coupon_by_code(code)
    if coupon is None:
        return f"No coupon has the code {code.strip().upper()}: create it first (chatshop coupon create)."
    return coupon.campaign_problem(single_use)


async def create_campaign(cmd: c.CreateCampaign, ctx: Context) -> int:
    require_role(cmd.actor, Role.OPERATOR, "create campaigns")
    now = ctx.now()
    campaign = build_campaign(cmd, now)
    async with ctx.uow() as uow:
        unknown = [sku for sku in campaign.skus if await uow.catalog.variant_by_sku(sku) is None]
        if unknown:
            raise ValidationFailed(f"No product has the SKU {', '.join(unknown)}.")
        for code in dict.fromkeys(x.coupon for x in campaign.contents.values() if x.coupon):
            problem = await coupon_problem(uow, code, campaign.single_use_coupons)
            if problem:
                raise ValidationFailed(problem)
        repo = campaigns_of(uow)
        existing = await repo.get(cmd.name, lock=True)
        if existing is not None:
            if not cmd.replace:
                raise ValidationFailed(f"A campaign named {cmd.name} exists; pass --replace to edit the draft.")
            existing.edit(cmd.actor)
            campaign.id, campaign.created_at, campaign.created_by = (
                existing.id,
                existing.created_at,
                existing.created_by,
            )
            await repo.save(campaign, now)
        else:
            await repo.add(campaign, now)
        await uow.commit()
    assert campaign.id is not None
    return campaign.id


async def submit_campaign(cmd: c.SubmitCampaign, ctx: Context) -> None:
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
        campaign = await _get(repo, cmd.name)
        campaign.submit(cmd.actor)
        counts = await repo.count(campaign, ctx.now())
        await repo.save(campaign, ctx.now())
        assert campaign.id is not None
        uow.publish(events.CampaignSubmitted(campaign.id, campaign.name, cmd.actor.name, counts["reachable"]))
        await uow.commit()


async def approve_campaign(cmd: c.ApproveCampaign, ctx: Context) -> None:
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
        campaign = await _get(repo, cmd.name)
        campaign.approve(cmd.actor, ctx.now())
        await repo.save(campaign, ctx.now())
        assert campaign.id is not None
        uow.publish(events.CampaignApproved(campaign.id, campaign.name, cmd.actor.name))
        await uow.commit()


async def pause_campaign(cmd: c.PauseCampaign, ctx: Context) -> None:
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
        campaign = await _get(repo, cmd.name)
        campaign.pause(cmd.actor, cmd.reason)
        await repo.save(campaign, ctx.now())
        assert campaign.id is not None
        uow.publish(events.CampaignPaused(campaign.id, campaign.name, cmd.reason, cmd.actor.name))
        await uow.commit()


async def resume_campaign(cmd: c.ResumeCampaign, ctx: Context) -> None:
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
        campaign = await _get(repo, cmd.name)
        missing = await repo.out_of_stock(campaign.skus) if campaign.trigger != Trigger.BACK_IN_STOCK else []
        if missing:
            raise ValidationFailed(f"{', '.join(missing)} is out of stock; restock before resuming.")
        campaign.resume(cmd.actor)
        await repo.save(campaign, ctx.now())
        assert campaign.id is not None
        uow.publish(events.CampaignResumed(campaign.id, campaign.name, cmd.actor.name))
        await uow.commit()


async def cancel_campaign(cmd: c.CancelCampaign, ctx: Context) -> int:
    """Returns how many queued deliveries will not go out."""
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
        campaign = await _get(repo, cmd.name)
        campaign.cancel(cmd.actor)
        assert campaign.id is not None
        dropped = await repo.skip_open(campaign.id, DeliveryState.FAILED, ctx.now())
        await repo.save(campaign, ctx.now())
        uow.publish(events.CampaignCancelled(campaign.id, campaign.name, cmd.actor.name))
        await uow.commit()
        return dropped


async def start_campaign_run(cmd: c.StartCampaignRun, ctx: Context) -> int:
    """Idempotent across processes: the campaign row is locked and only an approved, due campaign starts."""
    now = ctx.now()
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
        campaign = await _get(repo, cmd.campaign_id)
        if campaign.trigger is not None:
            return 0
        if campaign.status != CampaignStatus.APPROVED:
            if cmd.now:  # asked for by a person: say why not
                campaign.start_run(now)
            return 0
        if not cmd.now and (campaign.next_run_at is None or campaign.next_run_at > now):
            return 0
        missing = await repo.out_of_stock(campaign.skus)
        assert campaign.id is not None
        run = campaign.start_run(now)
        recipients = await repo.recipients(campaign, now)
        queued = await _queue(uow, campaign, run, recipients, now)
        uow.publish(events.CampaignStarted(campaign.id, campaign.name, run, queued))
        if missing:
            reason = f"out of stock: {', '.join(missing)}"
            campaign.pause(SYSTEM_ACTOR, reason)
            uow.publish(events.CampaignPaused(campaign.id, campaign.name, reason, SYSTEM_ACTOR.name))
        await repo.save(campaign, now)
        await uow.commit()
        return queued


async def finish_campaign_run(cmd: c.FinishCampaignRun, ctx: Context) -> bool:
    now = ctx.now()
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
        campaign = await _get(repo, cmd.campaign_id)
        assert campaign.id is not None
        if campaign.status != CampaignStatus.SENDING or await repo.open_deliveries(campaign.id):
            return False
        campaign.finish_run(now)
        report = await repo.report(campaign, ctx.config.currency)
        await repo.save(campaign, now)
        uow.publish(events.CampaignFinished(campaign.id, campaign.name, campaign.run, report.sent, report.unknown))
        await uow.commit()
        return True


UNKNOWN_MEANS = (
    "the sending process stopped while Telegram (or the mail server) was answering, so whether these "
    "messages arrived is not known; they were not sent again, to avoid sending anyone the campaign twice."
)


async def resend_unknown(name: str, actor: Actor, ctx: Context) -> int:
    """Queue the campaign's ``unknown`` deliveries again (an approver's explicit decision, since some of those
    people may have received it): of its current run, or of every occasion for an automation. The senders
    are woken by ``CampaignStarted``. Returns how many were queued."""
    now = ctx.now()
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
        campaign = await _get(repo, name)
        assert campaign.id is not None
        campaign.resend_unknown(actor)
        run = campaign.run if campaign.trigger is None else None
        queued = await repo.requeue_unknown(campaign.id, run, f"outcome was unknown; resent by {actor.name}", now)
        if not queued:
            raise ValidationFailed(f"Campaign {campaign.name} has no recipient whose outcome is unknown.")
        await repo.save(campaign, now)
        uow.publish(events.CampaignStarted(campaign.id, campaign.name, campaign.run, queued))
        await uow.commit()
        return queued


async def pause_if_out_of_stock(campaign_id: int, ctx: Context) -> str | None:
    """Stock-aware sending: a campaign featuring a product that ran out pauses itself. Returns the reason."""
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
        campaign = await _get(repo, campaign_id)
        if campaign.status != CampaignStatus.SENDING or campaign.trigger == Trigger.BACK_IN_STOCK:
            return None  # a back-in-stock notice only goes out for what came back
        missing = await repo.out_of_stock(campaign.skus)
        if not missing:
            return None
        reason = f"out of stock: {', '.join(missing)}"
        campaign.pause(SYSTEM_ACTOR, reason)
        await repo.save(campaign, ctx.now())
        assert campaign.id is not None
        uow.publish(events.CampaignPaused(campaign.id, campaign.name, reason, SYSTEM_ACTOR.name))
        await uow.commit()
        return reason


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
        repo = campaigns_of(uow)
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
                    queued += await _queue(uow, campaign, int(touched.timestamp()), recipients, now)
            elif campaign.trigger == Trigger.WIN_BACK:
                queued += await _queue_win_back(uow, campaign, now, cmd.limit)
        queued += await _queue_back_in_stock(uow, automations, (), cmd.limit, now)
        await uow.commit()
    return queued


async def _queue(uow: UnitOfWork, campaign: Campaign, run: int, recipients: list[Recipient], now: datetime) -> int:
    """Queue deliveries of one run (see ``add_deliveries``); returns how many were queued now.

    A campaign with single-use coupons gives each recipient a personal code with its template's terms, issued
    in this transaction and only for the deliveries queued now (a re-run of an occasion issues nothing)."""
    assert campaign.id is not None
    template_code = campaign.coupon_template
    if template_code is None:
        return len(await campaigns_of(uow).add_deliveries(campaign.id, run, recipients, now))
    template = await uow.sales.coupon_by_code(template_code)
    if template is None:
        raise ValidationFailed(f"The campaign's template coupon {template_code} no longer exists.")
    personal = {r.customer_id: template.personal_copy(r.customer_id, f"campaign {campaign.name}") for r in recipients}
    with_codes = [dataclasses.replace(r, coupon=personal[r.customer_id].code) for r in recipients]
    queued = await campaigns_of(uow).add_deliveries(campaign.id, run, with_codes, now)
    await uow.sales.add_coupons([personal[r.customer_id] for r in queued])
    return len(queued)


async def _queue_win_back(uow: UnitOfWork, campaign: Campaign, now: datetime, limit: int) -> int:
    assert campaign.id is not None
    repo = campaigns_of(uow)
    lapsed = dict(await repo.lapsed_customers(campaign, now - timedelta(hours=campaign.trigger_hours), now, limit))
    if not lapsed:
        return 0
    queued = 0
    for recipient in await repo.recipients(campaign, now, only=tuple(lapsed)):
        queued += await _queue(uow, campaign, lapsed[recipient.customer_id], [recipient], now)
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
    repo = campaigns_of(uow)
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
            queued += await _queue(uow, chosen, sub.id, recipients, now)
        sub.mark(reached=chosen is not None, campaign_id=(chosen or candidates[0]).id, now=now)
        await repo.save_stock_subscription(sub)
    return queued


async def notify_back_in_stock(cmd: c.NotifyBackInStock, ctx: Context) -> int:
    """A SKU came back (the ``BackInStock`` event, through the outbox): notify who asked. Safe to replay."""
    now = ctx.now()
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
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
        repo = campaigns_of(uow)
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
        if sum(level.available for level in await uow.inventory.levels([variant.id])) > 0:
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
        repo = campaigns_of(uow)
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


async def publish_marketing_message(cmd: c.PublishMarketingMessage, ctx: Context) -> bool:
    """Web chat delivery: the outbox event and the delivery's ``sent`` are one commit."""
    now = ctx.now()
    async with ctx.uow() as uow:
        repo = campaigns_of(uow)
        found = await repo.delivery_for_chat(cmd.delivery_id, cmd.worker)
        if found is None:
            return False
        campaign_id, customer_id, chat_id, locale, personal_coupon = found
        campaign = await _get(repo, campaign_id, lock=False)
        content = campaign.content_for(locale)
        if not await repo.mark_sent(cmd.delivery_id, cmd.worker, now):
            return False
        uow.publish(
            events.MarketingMessage(
                campaign_id,
                cmd.delivery_id,
                customer_id,
                chat_id,
                locale,
                content.text,
                content.image_url,
                cmd.skus or content.skus,
                campaign.coupon_for(locale, personal_coupon),
                cmd.checkout,
            )
        )
        await uow.commit()
        return True


TEST_PREFIX = {"en": "[Test] ", "zh": "[测试] "}
_TEST_ADDRESS = {
    "telegram": (re.compile(r"-?\d{1,20}"), "a Telegram chat id is a number (message the bot, then /start)"),
    "email": (re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}"), "that is not an e-mail address"),
    "webchat": (re.compile(r"[\w.:-]{1,128}"), "a web chat id is letters, digits, '-', '_', '.' or ':'"),
}


def sample_personal_code(campaign: Campaign) -> str | None:
    """What a test send shows for a personal single-use code: its shape, not a working code."""
    template = campaign.coupon_template
    return None if template is None else personal_code_example(template)


def marked_as_test(locale: str, text: str) -> str:
    return TEST_PREFIX.get(locale.split("-")[0], TEST_PREFIX["en"]) + text


async def send_campaign_test(cmd: c.SendCampaignTest, ctx: Context) -> str:
    """The campaign to one address of the marketer's, marked as a test. Web chat: the ``MarketingMessage``
    itself goes to the outbox (delivery 0, no customer); Telegram and e-mail: ``CampaignTestRequested``,
    which the sending process's subscriber renders and sends. Returns the locale used."""
    require_role(cmd.actor, Role.OPERATOR, "send test messages")
    address = cmd.address.strip()
    async with ctx.uow() as uow:
        campaign = await _get(campaigns_of(uow), cmd.name, lock=False)
        assert campaign.id is not None
        if cmd.channel not in campaign.channels:
            raise ValidationFailed(
                f"{cmd.channel} is not one of this campaign's channels ({', '.join(campaign.channels)})."
            )
        pattern, problem = _TEST_ADDRESS[cmd.channel]
        if not pattern.fullmatch(address):
            raise ValidationFailed(f"Cannot send a test to {address!r}: {problem}.")
        locale = cmd.locale or next(iter(campaign.contents))
        content = campaign.content_for(locale)
        if cmd.channel == "webchat":
            uow.publish(
                events.MarketingMessage(
                    campaign.id,
                    0,
                    0,
                    address,
                    locale,
                    marked_as_test(locale, content.text),
                    content.image_url,
                    content.skus,
                    campaign.coupon_for(locale, sample_personal_code(campaign)),
                )
            )
        else:
            uow.publish(
                events.CampaignTestRequested(campaign.id, campaign.name, cmd.channel, address, locale, cmd.actor.name)
            )
        await uow.commit()
        return locale


def report_dict(report: CampaignReport) -> dict[str, Any]:
    return {
        "campaign": report.name,
        "status": report.status,
        "recipients": report.recipients,
        "queued": report.queued,
        "sending": report.sending,
        "sent": report.sent,
        "delivered": report.delivered,
        "failed": report.failed,
        "blocked": report.blocked,
        "unknown": report.unknown,
        "skipped": report.skipped,
        "opt_outs": report.opt_outs,
        "clicks": report.clicks,
        "orders": report.orders,
        "revenue": report.revenue,
        "revenue_per_1000_messages": report.revenue_per_1000,
        "currency": report.currency,
    }


SYSTEM_ACTOR = c.SYSTEM
