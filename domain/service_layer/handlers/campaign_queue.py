"""What the campaign handlers share: finding a campaign, and queueing a run's deliveries (with personal
coupon codes issued in the same transaction)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from domain import commands as c
from domain.errors import NotFound, ValidationFailed
from domain.model.campaigns import Campaign, Recipient
from domain.repositories import CampaignRepository
from domain.service_layer.unit_of_work import UnitOfWork

SYSTEM_ACTOR = c.SYSTEM


async def get_campaign(repo: CampaignRepository, name: str | int, lock: bool = True) -> Campaign:
    campaign = await repo.get(name, lock=lock)
    if campaign is None:
        raise NotFound(f"There is no campaign {name}.")
    return campaign


async def queue_deliveries(
    uow: UnitOfWork, campaign: Campaign, run: int, recipients: list[Recipient], now: datetime
) -> int:
    """Queue deliveries of one run (see ``add_deliveries``); returns how many were queued now.

    A campaign with single-use coupons gives each recipient a personal code with its template's terms, issued
    in this transaction and only for the deliveries queued now (a re-run of an occasion issues nothing)."""
    assert campaign.id is not None
    template_code = campaign.coupon_template
    if template_code is None:
        return len(await uow.campaigns.add_deliveries(campaign.id, run, recipients, now))
    template = await uow.sales.coupon_by_code(template_code)
    if template is None:
        raise ValidationFailed(f"The campaign's template coupon {template_code} no longer exists.")
    personal = {r.customer_id: template.personal_copy(r.customer_id, f"campaign {campaign.name}") for r in recipients}
    with_codes = [dataclasses.replace(r, coupon=personal[r.customer_id].code) for r in recipients]
    queued = await uow.campaigns.add_deliveries(campaign.id, run, with_codes, now)
    await uow.sales.add_coupons([personal[r.customer_id] for r in queued])
    return len(queued)
