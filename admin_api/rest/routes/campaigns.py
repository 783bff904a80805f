"""Campaigns: list (cursor), get with audience and report, create a draft, replace a draft, submit it for
approval, report. Drafts are campaign.yml (``domain.service_layer.campaign_files``, as the CLI reads them);
writes go through the campaign commands, and approval stays with a named staff approver (Slack or the CLI)."""

from __future__ import annotations

from typing import Any

import yaml

from admin_api.rest import schemas as s
from admin_api.rest.deps import deps
from admin_api.rest.pagination import decode_cursor, encode_cursor
from admin_api.rest.registry import Call, Reply
from admin_api.rest.routes import API
from domain import commands as c
from domain.errors import NotFound, ValidationFailed
from domain.model.campaigns import CampaignStatus
from domain.service_layer.campaign_files import FORMAT_DOC, command_from_yaml

CAMPAIGN = {"campaign": "the campaign's name"}
KIND = "campaigns:id"


def read_draft(body: s.CampaignIn) -> dict[str, Any]:
    if body.campaign is not None:
        return body.campaign
    try:
        data = yaml.safe_load(body.yaml or "")
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"The campaign is not YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValidationFailed(f"The YAML must hold one campaign: a mapping (format: {FORMAT_DOC}).")
    return data


async def load_campaign(call: Call, name: str) -> s.CampaignDetailOut:
    views = deps(call.request).views.campaigns
    row = await views.campaign(name)
    reports = await views.reports(name)
    if row is None or not reports:
        raise NotFound(f"There is no campaign {name}.")
    audience = await views.audience(row.campaign)
    return s.CampaignDetailOut(
        campaign=s.campaign_out(row), audience=s.AudienceOut(**audience), report=s.report_out(reports[0])
    )


@API.operation(
    "GET",
    "/campaigns",
    scope="campaigns:read",
    summary="List campaigns",
    tag="campaigns",
    query=s.CampaignListQuery,
    responses={200: s.CampaignPage},
    description="Oldest first (by id), optionally of one status.",
)
async def list_campaigns(call: Call) -> Reply:
    q: s.CampaignListQuery = call.query
    after = decode_cursor(q.cursor, KIND)
    status = CampaignStatus(q.status) if q.status else None
    views = deps(call.request).views.campaigns
    rows = await views.page(q.limit + 1, after[1] if after else None, status)
    page, more = rows[: q.limit], len(rows) > q.limit
    cursor = None
    if more and page[-1].campaign.id is not None:
        cursor = encode_cursor(KIND, "", page[-1].campaign.id)
    return Reply(200, s.CampaignPage(items=[s.campaign_out(r) for r in page], next_cursor=cursor))


@API.operation(
    "POST",
    "/campaigns",
    scope="campaigns:write",
    summary="Create a draft campaign",
    tag="campaigns",
    body=s.CampaignIn,
    responses={201: s.CampaignDetailOut},
    description="The draft as campaign.yml: as YAML text (`yaml`) or the same mapping as JSON (`campaign`). "
    "Unknown keys are refused, and so is a `schedule.at` already past. A name in use is refused: replace a "
    "draft with PUT.",
)
async def create_campaign(call: Call) -> Reply:
    d = deps(call.request)
    command = command_from_yaml(read_draft(call.body), call.actor, now=d.bus.ctx.now())
    if await d.views.campaigns.campaign(command.name) is not None:
        raise ValidationFailed(f"A campaign named {command.name} exists; replace its draft with PUT.")
    await d.bus.handle(command)
    return Reply(201, await load_campaign(call, command.name))


@API.operation(
    "PUT",
    "/campaigns/{campaign}",
    scope="campaigns:write",
    summary="Replace a draft campaign",
    tag="campaigns",
    path_params=CAMPAIGN,
    body=s.CampaignIn,
    responses={200: s.CampaignDetailOut},
    description="The whole draft again (as for create; its `name` is the one in the path). Only a draft or a "
    "campaign awaiting approval changes, and it becomes a draft again: it needs submitting and approving anew.",
)
async def replace_campaign(call: Call) -> Reply:
    d = deps(call.request)
    name = call.path["campaign"]
    draft = read_draft(call.body)
    if "name" in draft and draft["name"] != name:
        raise ValidationFailed(f"The body names campaign {draft['name']!r}, the path {name!r}: rename is not possible.")
    if await d.views.campaigns.campaign(name) is None:
        raise NotFound(f"There is no campaign {name}.")
    command = command_from_yaml(draft | {"name": name}, call.actor, replace=True, now=d.bus.ctx.now())
    await d.bus.handle(command)
    return Reply(200, await load_campaign(call, name))


@API.operation(
    "GET",
    "/campaigns/{campaign}",
    scope="campaigns:read",
    summary="Get a campaign with its audience and report",
    tag="campaigns",
    path_params=CAMPAIGN,
    responses={200: s.CampaignDetailOut},
)
async def get_campaign(call: Call) -> Reply:
    return Reply(200, await load_campaign(call, call.path["campaign"]))


@API.operation(
    "POST",
    "/campaigns/{campaign}/submit",
    scope="campaigns:write",
    summary="Submit a draft for approval",
    tag="campaigns",
    path_params=CAMPAIGN,
    responses={200: s.CampaignDetailOut},
    description="The approvers are asked (in Slack); someone other than its author and submitter approves it.",
)
async def submit_campaign(call: Call) -> Reply:
    name = call.path["campaign"]
    await deps(call.request).bus.handle(c.SubmitCampaign(name, actor=call.actor))
    return Reply(200, await load_campaign(call, name))


@API.operation(
    "GET",
    "/campaigns/{campaign}/report",
    scope="campaigns:read",
    summary="A campaign's report",
    tag="campaigns",
    path_params=CAMPAIGN,
    responses={200: s.CampaignReportOut},
    description="Deliveries by state, clicks, opt-outs, and the paid orders and revenue credited to it.",
)
async def campaign_report(call: Call) -> Reply:
    name = call.path["campaign"]
    reports = await deps(call.request).views.campaigns.reports(name)
    if not reports:
        raise NotFound(f"There is no campaign {name}.")
    return Reply(200, s.report_out(reports[0]))
