"""Campaign pages: the list by state with progress and revenue, a draft's form (create, edit) with a live
audience count and each channel's message as shoppers will see it, the life-cycle buttons the campaign
itself allows the signed-in staff member, a test send, and the report. Writes are the campaign commands run as
that staff member; the form only turns fields into campaign.yml's mapping (``command_from_yaml``, as the
CLI and the admin API read a draft)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aiohttp import web
from markupsafe import Markup

from admin_api.console.deps import deps
from admin_api.console.pages import PREFIX, SESSION, locale_of, page, see_other
from admin_api.console.words import refusal_text
from domain import commands as c
from domain.errors import NotFound, ValidationFailed
from domain.model.campaigns import Campaign, CampaignStatus, Content
from domain.model.campaigns.actions import allowed_actions
from domain.model.campaigns.segments import CAMPAIGN_CHANNELS, EVERYONE
from domain.model.staff import Actor
from domain.service_layer.campaign_files import command_from_yaml

routes = web.RouteTableDef()
STATES = tuple(s.value for s in CampaignStatus)
LOCALES = ("en", "zh")
LIST_LIMIT = 500
DONE = {  # the notice after a change, translated by value in the template
    "saved": "Saved",
    "test": "Test message sent",
    "submit": "Submitted for approval",
    "approve": "Approved",
    "pause": "Paused",
    "resume": "Resumed",
    "cancel": "Cancelled",
}
COMMANDS: dict[str, Callable[[str, Actor], c.Command]] = {
    "submit": lambda name, actor: c.SubmitCampaign(name, actor=actor),
    "approve": lambda name, actor: c.ApproveCampaign(name, actor=actor),
    "pause": lambda name, actor: c.PauseCampaign(name, actor=actor),
    "resume": lambda name, actor: c.ResumeCampaign(name, actor=actor),
    "cancel": lambda name, actor: c.CancelCampaign(name, actor=actor),
}


def _text(form: Any, name: str, limit: int = 200) -> str:
    return str(form.get(name, "")).strip()[:limit]


def _whole(text: str, field: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) < 7):
        raise ValidationFailed(f"{field} must be a whole number; not {text!r}.")
    return int(text)


def _segment(text: str) -> dict[str, Any]:
    if not text.strip():
        return dict(EVERYONE)
    try:
        rule = json.loads(text)
    except ValueError as exc:
        raise ValidationFailed(f"The segment rule is not JSON: {exc}.") from None
    if not isinstance(rule, dict):
        raise ValidationFailed('The segment rule is an object, e.g. {"field": "country", "op": "in", "value": ["DE"]}.')
    return rule


def _channels(form: Any) -> list[str]:
    return [str(ch) for ch in form.getall("channel", []) if str(ch) in CAMPAIGN_CHANNELS]


def draft_from_form(form: Any) -> dict[str, Any]:
    """The form's fields as campaign.yml's mapping (docs/campaigns.md)."""
    content: dict[str, Any] = {}
    for locale in LOCALES:
        text = str(form.get(f"text_{locale}", "")).strip()[:4000]
        if not text:
            continue
        item: dict[str, Any] = {"text": text}
        if image := _text(form, f"image_{locale}", 500):
            item["image_url"] = image
        skus = [s.strip().upper() for s in _text(form, f"skus_{locale}", 300).split(",") if s.strip()]
        if skus:
            item["skus"] = skus
        if coupon := _text(form, f"coupon_{locale}", 40):
            item["coupon"] = coupon
        content[locale] = item
    draft: dict[str, Any] = {
        "name": _text(form, "name", 80),
        "channels": _channels(form),
        "content": content,
        "segment": _segment(str(form.get("segment", ""))[:20000]),
        "quiet_hours": _text(form, "quiet_hours", 11) or "21:00-09:00",
        "frequency_cap": {
            "messages": _whole(_text(form, "cap_messages") or "2", "Messages per person"),
            "days": _whole(_text(form, "cap_days") or "7", "Days"),
        },
    }
    kind = _text(form, "schedule") or "now"
    if kind == "at":
        at = _text(form, "send_at", 40)
        # A datetime-local field has no offset: the console's times are UTC, as its pages show them.
        draft["schedule"] = {"at": at if ("+" in at[10:] or at.endswith("Z")) else f"{at}+00:00"}
    elif kind == "cron":
        draft["schedule"] = {"cron": _text(form, "cron", 120)}
    return draft


def form_values(campaign: Campaign | None) -> dict[str, Any]:
    """What the form shows: the campaign's fields, or a new draft's defaults."""
    if campaign is None:
        return {
            "name": "",
            "channels": ["telegram", "webchat"],
            "segment": json.dumps(EVERYONE, indent=2),
            "content": {},
            "schedule": "now",
            "send_at": "",
            "cron": "",
            "quiet_hours": "21:00-09:00",
            "cap_messages": 2,
            "cap_days": 7,
        }
    return {
        "name": campaign.name,
        "channels": list(campaign.channels),
        "segment": json.dumps(campaign.segment, indent=2, ensure_ascii=False),
        "content": {
            loc: {"text": x.text, "image_url": x.image_url or "", "skus": ", ".join(x.skus), "coupon": x.coupon or ""}
            for loc, x in campaign.contents.items()
        },
        "schedule": campaign.schedule.value,
        "send_at": campaign.send_at.strftime("%Y-%m-%dT%H:%M") if campaign.send_at else "",
        "cron": campaign.cron or "",
        "quiet_hours": f"{campaign.quiet.start:%H:%M}-{campaign.quiet.end:%H:%M}",
        "cap_messages": campaign.cap.messages,
        "cap_days": campaign.cap.days,
    }


def posted_values(form: Any) -> dict[str, Any]:
    """The form as it was sent, to show it again beside the domain's refusal (nothing typed is lost)."""
    return {
        "name": _text(form, "name", 80),
        "channels": _channels(form),
        "segment": str(form.get("segment", ""))[:20000],
        "content": {
            loc: {
                "text": str(form.get(f"text_{loc}", ""))[:4000],
                "image_url": _text(form, f"image_{loc}", 500),
                "skus": _text(form, f"skus_{loc}", 300),
                "coupon": _text(form, f"coupon_{loc}", 40),
            }
            for loc in LOCALES
        },
        "schedule": _text(form, "schedule") or "now",
        "send_at": _text(form, "send_at", 40),
        "cron": _text(form, "cron", 120),
        "quiet_hours": _text(form, "quiet_hours", 11),
        "cap_messages": _text(form, "cap_messages"),
        "cap_days": _text(form, "cap_days"),
    }


def _form_context(request: web.Request, values: dict[str, Any], error: str = "") -> dict[str, Any]:
    return {"v": values, "locales": LOCALES, "all_channels": CAMPAIGN_CHANNELS, "error": error}


def _may_write(request: web.Request) -> bool:
    """Whether to offer "New campaign": the domain's rule (operators and above write campaigns)."""
    actor = request[SESSION].as_actor()
    probe = Campaign(
        "probe", {"en": Content("x")}, ("webchat",), dict(EVERYONE), actor.name, deps(request).bus.ctx.now()
    )
    return "edit" in allowed_actions(probe, actor, deps(request).bus.ctx.now())


@routes.get("/campaigns")
async def campaigns_list(request: web.Request) -> web.Response:
    state = request.query.get("state") or None
    if state is not None and state not in STATES:
        raise ValidationFailed(f"There is no campaign state {state}.")
    views = deps(request).views.campaigns
    rows = await views.page(LIST_LIMIT, None, CampaignStatus(state) if state else None)
    reports = {r.campaign_id: r for r in await views.reports()}  # one statement for every campaign
    previewer = deps(request).previews
    items = [
        (row.campaign, reports.get(row.campaign.id or 0), previewer.segment_words(row.campaign) if previewer else "")
        for row in rows
    ]
    context = {"items": items, "states": STATES, "state": state or "", "can_write": _may_write(request)}
    return page(request, "campaigns.html", context)


@routes.get("/campaigns/new")
async def new_campaign(request: web.Request) -> web.Response:
    return page(request, "campaign_new.html", _form_context(request, form_values(None)))


@routes.post("/campaigns")
async def create_campaign(request: web.Request) -> web.Response:
    d, form = deps(request), await request.post()
    try:
        command = command_from_yaml(draft_from_form(form), request[SESSION].as_actor(), now=d.bus.ctx.now())
        if await d.views.campaigns.campaign(command.name) is not None:
            raise ValidationFailed(f"A campaign named {command.name} exists; edit its draft instead.")
        await d.bus.handle(command)
    except ValidationFailed as exc:
        error = refusal_text(exc, locale_of(request))
        return page(request, "campaign_new.html", _form_context(request, posted_values(form), error), status=409)
    return see_other(f"{PREFIX}/campaigns/{command.name}?done=saved")


@routes.get("/campaigns/audience")
async def audience_count(request: web.Request) -> web.Response:
    """The live count: how many customers the rule matches now and how many the channels reach (JSON)."""
    d = deps(request)
    now = d.bus.ctx.now()
    query = request.query
    channels = tuple(ch for ch in query.getall("channel", []) if ch in CAMPAIGN_CHANNELS) or CAMPAIGN_CHANNELS
    try:
        draft = Campaign("count", {"en": Content("x")}, channels, _segment(query.get("segment", "")[:20000]), "", now)
    except ValidationFailed as exc:
        return web.json_response({"error": str(exc)}, status=400)
    counts = await d.views.campaigns.audience(draft)
    return web.json_response(counts)


async def _campaign(request: web.Request) -> Campaign:
    name = request.match_info["name"]
    row = await deps(request).views.campaigns.campaign(name[:80])
    if row is None:
        raise NotFound(f"There is no campaign {name}.")
    return row.campaign


@routes.get("/campaigns/{name}")
async def campaign_page(request: web.Request) -> web.Response:
    campaign = await _campaign(request)
    context = await _campaign_context(request, campaign, form_values(campaign))
    return page(request, "campaign.html", context | {"done": DONE.get(request.query.get("done") or "")})


async def _campaign_context(
    request: web.Request, campaign: Campaign, values: dict[str, Any], error: str = ""
) -> dict[str, Any]:
    d = deps(request)
    reports = await d.views.campaigns.reports(campaign.name)
    audience = await d.views.campaigns.audience(campaign)
    previews = await d.previews.previews(campaign) if d.previews is not None else []
    actions = allowed_actions(campaign, request[SESSION].as_actor(), d.bus.ctx.now())
    return _form_context(request, values, error) | {
        "c": campaign,
        "segment_words": d.previews.segment_words(campaign) if d.previews is not None else "",
        "report": reports[0] if reports else None,
        "audience": audience,
        "previews": [(p, Markup(p.html)) for p in previews],  # built and escaped by the channel's formatter
        "actions": actions,
        "done": None,
    }


@routes.post("/campaigns/{name}")
async def replace_campaign(request: web.Request) -> web.Response:
    d, form = deps(request), await request.post()
    campaign = await _campaign(request)
    try:
        draft = draft_from_form(form) | {"name": campaign.name}  # a campaign is not renamed
        await d.bus.handle(command_from_yaml(draft, request[SESSION].as_actor(), replace=True, now=d.bus.ctx.now()))
    except ValidationFailed as exc:
        values = posted_values(form) | {"name": campaign.name}
        context = await _campaign_context(request, campaign, values, refusal_text(exc, locale_of(request)))
        return page(request, "campaign.html", context, status=409)
    return see_other(f"{PREFIX}/campaigns/{campaign.name}?done=saved")


@routes.post("/campaigns/{name}/test")
async def send_test(request: web.Request) -> web.Response:
    d, form = deps(request), await request.post()
    campaign = await _campaign(request)
    locale = _text(form, "locale", 10) or None
    command = c.SendCampaignTest(
        campaign.name,
        _text(form, "channel", 20),
        _text(form, "address", 300),
        locale,
        actor=request[SESSION].as_actor(),
    )
    await d.bus.handle(command)
    return see_other(f"{PREFIX}/campaigns/{campaign.name}?done=test")


@routes.post("/campaigns/{name}/{action}")
async def campaign_action(request: web.Request) -> web.Response:
    action = request.match_info["action"]
    if action not in COMMANDS:
        raise NotFound(f"There is no campaign action {action}.")
    campaign = await _campaign(request)
    await deps(request).bus.handle(COMMANDS[action](campaign.name, request[SESSION].as_actor()))
    return see_other(f"{PREFIX}/campaigns/{campaign.name}?done={action}")
