"""A campaign before it exists: what is wrong with it, field by field, and the audience of its segment.

For forms that show each problem beside its input and a live count while a marketer edits (the Slack
"New campaign" modal). Every check is the model's own (``build_campaign``, ``Campaign.validate``,
``Content``, ``parse_rule``, ``next_cron``), run on one field at a time against an otherwise valid
campaign, so a form and ``create_campaign`` can never disagree; ``create_campaign`` still checks
everything itself (and the actor's role, which is the command's to refuse).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain import commands as c
from domain.errors import ValidationFailed
from domain.model.campaigns import CAMPAIGN_CHANNELS, EVERYONE, Campaign, require_role
from domain.model.staff import Actor, Role
from domain.service_layer.context import Context
from domain.service_layer.handlers.campaigns import build_campaign, coupon_problem

# Keys of ``draft_problems``: CreateCampaign's fields, contents as ``contents.<locale>.<field>``.
SCHEDULE_FIELD = {"at": "send_at", "cron": "cron"}


@dataclass(frozen=True)
class Audience:
    """Customers a segment matches now, and those the channels reach (opted in, not unreachable there)."""

    matching: int
    reachable: int


def _neutral(actor: Actor) -> c.CreateCampaign:
    """A campaign that passes every check: one field of the real draft is put into it at a time."""
    return c.CreateCampaign(
        name="draft-check",
        contents={"en": {"text": "draft"}},
        channels=("webchat",),
        segment=copy.deepcopy(EVERYONE),
        actor=actor,
    )


def _probe(cmd: c.CreateCampaign, now: datetime) -> Campaign:
    return build_campaign(cmd, now)


async def segment_audience(segment: Mapping[str, Any], channels: Sequence[str], actor: Actor, ctx: Context) -> Audience:
    """The count ``chatshop campaign create`` prints, for a segment that is not saved yet.

    No channels: nobody is reachable (the matching count still holds). Raises ``ValidationFailed`` for a
    malformed segment or an unknown channel, ``PermissionDenied`` for anyone below a viewer.
    """
    require_role(actor, Role.VIEWER, "count campaign audiences")
    now = ctx.now()
    chosen = tuple(channels)
    probe = _probe(replace(_neutral(actor), segment=dict(segment), channels=chosen or CAMPAIGN_CHANNELS), now)
    async with ctx.uow() as uow:
        counts = await uow.campaigns.count(probe, now)
    return Audience(counts["matching"], counts["reachable"] if chosen else 0)


async def draft_problems(cmd: c.CreateCampaign, ctx: Context) -> dict[str, str]:
    """What would stop ``cmd`` from creating a campaign, by field; empty when nothing would.

    Keys: ``name``, ``channels``, ``segment``, ``contents`` (no locale at all),
    ``contents.<locale>.text`` / ``.image_url`` / ``.skus`` (including SKUs the catalog does not know) /
    ``.coupon`` (a code no coupon has),
    ``schedule``, ``send_at``, ``cron``, ``quiet_hours``, ``frequency_cap``, ``attribution_days``;
    ``""`` for anything the checks by field did not catch (an automation's trigger, say).
    """
    now = ctx.now()
    neutral = _neutral(cmd.actor)
    problems: dict[str, str] = {}

    def check(key: str, probe: c.CreateCampaign) -> None:
        if key in problems:
            return
        try:
            _probe(probe, now)
        except ValidationFailed as exc:
            problems[key] = exc.message

    check("name", replace(neutral, name=cmd.name))
    check("channels", replace(neutral, channels=tuple(cmd.channels)))
    check("segment", replace(neutral, segment=dict(cmd.segment)))
    if not cmd.contents:
        problems["contents"] = "A campaign needs content for at least one locale."
    skus: dict[str, tuple[str, ...]] = {}
    for locale, data in cmd.contents.items():
        key = f"contents.{locale}"
        featured = data.get("skus") or ()
        check(f"{key}.text", replace(neutral, contents={locale: {"text": data.get("text")}}))
        check(
            f"{key}.image_url",
            replace(neutral, contents={locale: {"text": "draft", "image_url": data.get("image_url")}}),
        )
        check(f"{key}.skus", replace(neutral, contents={locale: {"text": "draft", "skus": featured}}))
        if f"{key}.skus" not in problems and isinstance(featured, list | tuple):
            skus[key] = tuple(str(s) for s in featured)
    schedule = replace(neutral, schedule=cmd.schedule, send_at=cmd.send_at, cron=cmd.cron)
    check(SCHEDULE_FIELD.get(cmd.schedule, "schedule"), schedule)
    check("quiet_hours", replace(neutral, quiet_hours=cmd.quiet_hours, quiet_policy=cmd.quiet_policy))
    check("frequency_cap", replace(neutral, cap_messages=cmd.cap_messages, cap_days=cmd.cap_days))
    check("attribution_days", replace(neutral, attribution_days=cmd.attribution_days))

    async with ctx.uow() as uow:
        if "name" not in problems and not cmd.replace and await uow.campaigns.get(cmd.name) is not None:
            problems["name"] = f"A campaign named {cmd.name} already exists; pick another name."
        for key, wanted in skus.items():
            unknown = [sku for sku in dict.fromkeys(wanted) if await uow.catalog.variant_by_sku(sku) is None]
            if unknown:
                problems[f"{key}.skus"] = f"No product has the SKU {', '.join(unknown)}."
        for locale, data in cmd.contents.items():
            if data.get("coupon"):
                problem = await coupon_problem(uow, str(data["coupon"]), cmd.single_use_coupons)
                if problem:
                    problems.setdefault(f"contents.{locale}.coupon", problem)
    if not problems:
        check("", cmd)
    return problems
