"""Campaign commands: create, submit, approve, pause/resume/cancel, runs and their report.

The repository comes with the unit of work (``uow.campaigns``), like every other repository. Automations,
stock subscriptions and attribution are in ``campaign_automations``; messages and tests in ``campaign_messages``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain import commands as c
from domain import events
from domain.errors import ValidationFailed
from domain.model.campaigns import (
    Campaign,
    CampaignReport,
    CampaignStatus,
    Content,
    DeliveryState,
    FrequencyCap,
    QuietHours,
    ScheduleKind,
    Trigger,
    parse_hhmm,
    require_role,
)
from domain.model.staff import Actor, Role
from domain.service_layer.context import Context
from domain.service_layer.handlers.campaign_queue import SYSTEM_ACTOR, get_campaign, queue_deliveries
from domain.service_layer.unit_of_work import UnitOfWork

TRIGGERS = tuple(t.value for t in Trigger)  # abandoned_cart, back_in_stock, win_back


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
        repo = uow.campaigns
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
        repo = uow.campaigns
        campaign = await get_campaign(repo, cmd.name)
        campaign.submit(cmd.actor)
        counts = await repo.count(campaign, ctx.now())
        await repo.save(campaign, ctx.now())
        assert campaign.id is not None
        uow.publish(events.CampaignSubmitted(campaign.id, campaign.name, cmd.actor.name, counts["reachable"]))
        await uow.commit()


async def approve_campaign(cmd: c.ApproveCampaign, ctx: Context) -> None:
    async with ctx.uow() as uow:
        repo = uow.campaigns
        campaign = await get_campaign(repo, cmd.name)
        campaign.approve(cmd.actor, ctx.now())
        await repo.save(campaign, ctx.now())
        assert campaign.id is not None
        uow.publish(events.CampaignApproved(campaign.id, campaign.name, cmd.actor.name))
        await uow.commit()


async def pause_campaign(cmd: c.PauseCampaign, ctx: Context) -> None:
    async with ctx.uow() as uow:
        repo = uow.campaigns
        campaign = await get_campaign(repo, cmd.name)
        campaign.pause(cmd.actor, cmd.reason)
        await repo.save(campaign, ctx.now())
        assert campaign.id is not None
        uow.publish(events.CampaignPaused(campaign.id, campaign.name, cmd.reason, cmd.actor.name))
        await uow.commit()


async def resume_campaign(cmd: c.ResumeCampaign, ctx: Context) -> None:
    async with ctx.uow() as uow:
        repo = uow.campaigns
        campaign = await get_campaign(repo, cmd.name)
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
        repo = uow.campaigns
        campaign = await get_campaign(repo, cmd.name)
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
        repo = uow.campaigns
        campaign = await get_campaign(repo, cmd.campaign_id)
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
        queued = await queue_deliveries(uow, campaign, run, recipients, now)
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
        repo = uow.campaigns
        campaign = await get_campaign(repo, cmd.campaign_id)
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
        repo = uow.campaigns
        campaign = await get_campaign(repo, name)
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
        repo = uow.campaigns
        campaign = await get_campaign(repo, campaign_id)
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
