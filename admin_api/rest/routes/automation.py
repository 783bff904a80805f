"""Automation rules: list, get, create or replace (YAML or JSON), enable, disable, and a dry run."""

from __future__ import annotations

import json
from typing import Any

import yaml

from admin_api.rest import schemas as s
from admin_api.rest.deps import deps
from admin_api.rest.registry import Call, Reply
from admin_api.rest.routes import API
from domain.commands_automation import DryRunAutomation, PutAutomationRule, SetAutomationEnabled
from domain.errors import NotFound, ValidationFailed

RULE = {"name": "the rule's name"}


async def load_rule(call: Call, name: str) -> s.AutomationRuleOut:
    wanted = name.strip().lower()
    for rule in await deps(call.request).automation.rules():
        if rule.name == wanted:
            return s.rule_out(rule)
    raise NotFound(f"There is no automation rule {name}.")


def read_rule(body: s.AutomationRuleIn) -> tuple[dict[str, Any], str]:
    """The rule's mapping and its text as written (YAML as sent; JSON shown back indented)."""
    if body.rule is not None:
        return body.rule, json.dumps(body.rule, indent=2, ensure_ascii=False)
    source = body.yaml or ""
    try:
        spec = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"The rule is not YAML: {exc}") from None
    if not isinstance(spec, dict):
        raise ValidationFailed("The YAML must hold one rule: a mapping with name, when, if and then.")
    return spec, source


@API.operation(
    "GET",
    "/automation/rules",
    scope="automation:read",
    summary="List automation rules",
    tag="automation",
    responses={200: s.AutomationRuleList},
    description="Every rule by name, with its trigger, whether it is on, and how often it ran and matched.",
)
async def list_rules(call: Call) -> Reply:
    rules = await deps(call.request).automation.rules()
    return Reply(200, s.AutomationRuleList(items=[s.rule_out(r) for r in rules]))


@API.operation(
    "POST",
    "/automation/rules",
    scope="automation:write",
    summary="Add an automation rule, or redefine the one with its name",
    tag="automation",
    body=s.AutomationRuleIn,
    responses={200: s.AutomationRuleOut},
    description="The rule as YAML text (`yaml`) or as JSON (`rule`): `name`, `when` an event, `if` conditions, "
    "`then` actions. A redefined rule keeps whether it is enabled.",
)
async def put_rule(call: Call) -> Reply:
    spec, source = read_rule(call.body)
    name = await deps(call.request).bus.handle(PutAutomationRule(spec, source, actor=call.actor))
    return Reply(200, await load_rule(call, str(name)))


@API.operation(
    "GET",
    "/automation/rules/{name}",
    scope="automation:read",
    summary="Get an automation rule",
    tag="automation",
    path_params=RULE,
    responses={200: s.AutomationRuleOut},
)
async def get_rule(call: Call) -> Reply:
    return Reply(200, await load_rule(call, call.path["name"]))


async def _set(call: Call, enabled: bool) -> Reply:
    name = call.path["name"]
    await deps(call.request).bus.handle(SetAutomationEnabled(name, enabled, actor=call.actor))
    return Reply(200, await load_rule(call, name))


@API.operation(
    "POST",
    "/automation/rules/{name}/enable",
    scope="automation:write",
    summary="Turn a rule on",
    tag="automation",
    path_params=RULE,
    responses={200: s.AutomationRuleOut},
)
async def enable_rule(call: Call) -> Reply:
    return await _set(call, True)


@API.operation(
    "POST",
    "/automation/rules/{name}/disable",
    scope="automation:write",
    summary="Turn a rule off",
    tag="automation",
    path_params=RULE,
    responses={200: s.AutomationRuleOut},
    description="Events while it is off are not run later.",
)
async def disable_rule(call: Call) -> Reply:
    return await _set(call, False)


@API.operation(
    "GET",
    "/automation/rules/{name}/dry-run",
    scope="automation:read",
    summary="What a rule would have done for its latest trigger events",
    tag="automation",
    path_params=RULE,
    query=s.DryRunQuery,
    responses={200: s.DryRunOut},
    description="Replays the rule on the last `last` events it triggers on and explains, per event, each "
    "condition and the actions it would have taken. Changes nothing.",
)
async def dry_run_rule(call: Call) -> Reply:
    q: s.DryRunQuery = call.query
    name = call.path["name"]
    lines = await deps(call.request).bus.handle(DryRunAutomation(name, actor=call.actor, last=q.last))
    events = [
        s.DryRunLineOut(
            event_id=line.event_id,
            occurred_at=line.occurred_at,
            would_act=line.verdict.matched,
            reasons=list(line.verdict.reasons),
            actions=list(line.verdict.actions),
        )
        for line in lines
    ]
    return Reply(200, s.DryRunOut(rule=name.strip().lower(), events=events, would_act=sum(e.would_act for e in events)))
