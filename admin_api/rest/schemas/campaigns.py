"""Campaigns: drafts written as campaign.yml (YAML text or the same mapping as JSON), their settings,
audience and report."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from admin_api.rest.schemas.common import Cursor, Limit, Money, Strict, money
from domain.model.campaigns import Campaign, CampaignReport
from domain.views.campaigns import CampaignRow

CampaignStatusName = Literal["draft", "awaiting_approval", "approved", "sending", "paused", "cancelled", "finished"]


class CampaignContentOut(BaseModel):
    text: str
    image_url: str | None
    skus: list[str]
    coupon: str | None = Field(description="a shared code, or the template of personal single-use codes")


class FrequencyCapOut(BaseModel):
    messages: int
    days: int


class CampaignOut(BaseModel):
    id: int
    name: str
    status: CampaignStatusName
    channels: list[str]
    contents: dict[str, CampaignContentOut] = Field(description="by locale; the first is the fallback")
    segment: dict[str, Any] = Field(description="the segment rule, as campaign.yml writes it")
    schedule: Literal["now", "at", "cron"]
    send_at: datetime | None
    cron: str | None
    trigger: str | None = Field(description="automations: what sends it, e.g. `abandoned_cart: 4 hours`")
    quiet_hours: str = Field(description="local times marketing waits through, e.g. `21:00-09:00`")
    quiet_policy: Literal["defer", "skip"]
    frequency_cap: FrequencyCapOut
    attribution_days: int
    single_use_coupons: bool
    created_by: str
    submitted_by: str | None
    approved_by: str | None
    next_run_at: datetime | None
    run: int = Field(description="how many times it fired")
    pause_reason: str | None
    created_at: datetime
    updated_at: datetime


class CampaignPage(BaseModel):
    items: list[CampaignOut]
    next_cursor: str | None


class CampaignListQuery(Strict):
    limit: Limit = 50
    cursor: Cursor = None
    status: CampaignStatusName | None = None


class SkippedOut(BaseModel):
    optout: int
    cap: int
    quiet: int
    stale: int


class CampaignReportOut(BaseModel):
    campaign_id: int
    name: str
    status: CampaignStatusName
    recipients: int = Field(description="deliveries queued so far, in every state")
    queued: int
    sending: int
    sent: int
    delivered: int = Field(description="sent on a channel that confirms delivery (all but e-mail)")
    failed: int
    blocked: int
    unknown: int = Field(description="the sender stopped mid-call: whether these arrived is not known")
    skipped: SkippedOut
    opt_outs: int
    clicks: int
    orders: int = Field(description="paid orders credited to the campaign (last touch in its window)")
    revenue: Money = Field(description="captured minus refunded of those orders")
    revenue_per_1000_messages: Money


class AudienceOut(BaseModel):
    matching: int = Field(description="customers the segment matches now")
    reachable: int = Field(description="of those, opted in and reachable on one of the campaign's channels")


class CampaignDetailOut(BaseModel):
    campaign: CampaignOut
    audience: AudienceOut
    report: CampaignReportOut


class CampaignIn(Strict):
    """Exactly one of `yaml` (campaign.yml as text, as `chatshop campaign create` reads it) or `campaign`
    (the same mapping as JSON). The format, every key with an example: docs/campaigns.md."""

    yaml: str | None = Field(default=None, min_length=1, max_length=50_000)
    campaign: dict[str, Any] | None = Field(
        default=None, description="name, channels, content, segment, schedule, quiet_hours, frequency_cap…"
    )

    @model_validator(mode="after")
    def one_of(self) -> CampaignIn:
        if (self.yaml is None) == (self.campaign is None):
            raise ValueError("send exactly one of `yaml` or `campaign`")
        return self


def campaign_out(row: CampaignRow) -> CampaignOut:
    x: Campaign = row.campaign
    assert x.id is not None
    return CampaignOut(
        id=x.id,
        name=x.name,
        status=x.status.value,
        channels=list(x.channels),
        contents={
            locale: CampaignContentOut(text=c.text, image_url=c.image_url, skus=list(c.skus), coupon=c.coupon)
            for locale, c in x.contents.items()
        },
        segment=x.segment,
        schedule=x.schedule.value,
        send_at=x.send_at,
        cron=x.cron,
        trigger=x.trigger_summary,
        quiet_hours=f"{x.quiet.start:%H:%M}-{x.quiet.end:%H:%M}",
        quiet_policy=x.quiet_policy,  # type: ignore[arg-type]
        frequency_cap=FrequencyCapOut(messages=x.cap.messages, days=x.cap.days),
        attribution_days=x.attribution_days,
        single_use_coupons=x.single_use_coupons,
        created_by=x.created_by,
        submitted_by=x.submitted_by,
        approved_by=x.approved_by,
        next_run_at=x.next_run_at,
        run=x.run,
        pause_reason=x.pause_reason,
        created_at=x.created_at,
        updated_at=row.updated_at,
    )


def report_out(r: CampaignReport) -> CampaignReportOut:
    return CampaignReportOut(
        campaign_id=r.campaign_id,
        name=r.name,
        status=r.status,  # type: ignore[arg-type]
        recipients=r.recipients,
        queued=r.queued,
        sending=r.sending,
        sent=r.sent,
        delivered=r.delivered,
        failed=r.failed,
        blocked=r.blocked,
        unknown=r.unknown,
        skipped=SkippedOut(**r.skipped),
        opt_outs=r.opt_outs,
        clicks=r.clicks,
        orders=r.orders,
        revenue=money(r.revenue, r.currency),
        revenue_per_1000_messages=money(r.revenue_per_1000, r.currency),
    )
