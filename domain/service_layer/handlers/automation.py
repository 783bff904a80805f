"""Automation rules: add/redefine, enable/disable, run on committed events (once per rule and event), dry run.

The repository comes with the unit of work (``uow.automations``, see ``domain/adapters/webhooks_uow.py``).
A rule's actions happen in the transaction that records its run, so a crash either does both or neither,
and the outbox's retry runs the rule again. An action the order can't take (holding an order that is not
paid any more) is written in the run's record instead of failing the event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from domain import events
from domain.commands_automation import DryRunAutomation, PutAutomationRule, RunAutomations, SetAutomationEnabled
from domain.errors import NotFound, ValidationFailed
from domain.model.automation import (
    AUTOMATION_ACTOR_PREFIX,
    Facts,
    Rule,
    Verdict,
    caused_by_automation,
    describe,
    evaluate,
    parse_rule,
    render,
)
from domain.model.money import Money, exponent
from domain.model.orders import OrderStatus
from domain.model.staff import Actor, Permission
from domain.service_layer.context import Context
from domain.service_layer.handlers.orders import load_order
from domain.service_layer.handlers.webhooks import webhooks_of
from domain.service_layer.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
MAX_DRY_RUN = 200


class AutomationRepository(Protocol):
    async def get(self, name: str) -> Rule | None: ...
    async def put(self, rule: Rule, source: str, actor: str, now: datetime) -> int: ...
    async def set_enabled(self, name: str, enabled: bool, now: datetime) -> bool: ...
    async def enabled_for(self, event_type: str) -> list[Rule]: ...
    async def claim_run(self, rule_id: int, event_id: str, event_type: str, now: datetime) -> int | None: ...
    async def finish_run(self, run_id: int, matched: bool, actions: list[str]) -> None: ...
    async def recent_events(self, event_type: str, limit: int) -> list[tuple[str, datetime, dict[str, Any]]]: ...


def automations_of(uow: UnitOfWork) -> AutomationRepository:
    repo = getattr(uow, "automations", None)
    if repo is None:
        raise RuntimeError("this unit of work has no automation repository; build it with SqlWebhookUnitOfWork")
    return cast(AutomationRepository, repo)


@dataclass(frozen=True)
class DryRunLine:
    event_id: str
    occurred_at: datetime
    verdict: Verdict


async def put_rule(cmd: PutAutomationRule, ctx: Context) -> str:
    cmd.actor.require(Permission.MANAGE_INTEGRATIONS)
    rule = parse_rule(cmd.spec, exponent(ctx.config.currency))
    async with ctx.uow() as uow:
        await automations_of(uow).put(rule, cmd.source, cmd.actor.name, ctx.now())
        await uow.commit()
    return rule.name


async def set_enabled(cmd: SetAutomationEnabled, ctx: Context) -> None:
    cmd.actor.require(Permission.MANAGE_INTEGRATIONS)
    async with ctx.uow() as uow:
        if not await automations_of(uow).set_enabled(cmd.name.strip().lower(), cmd.enabled, ctx.now()):
            raise NotFound(f"There is no automation rule {cmd.name}.")
        await uow.commit()


async def gather(uow: UnitOfWork, event_type: str, payload: dict[str, Any]) -> Facts:
    """What the rule's conditions look at, as the shop is now."""
    order_id, customer_id = payload.get("order_id"), payload.get("customer_id")
    total = country = channel = None
    total_text, earlier = "", None
    skus: tuple[str, ...] = ()
    if isinstance(order_id, int):
        order = await uow.sales.order(order_id)
        if order is not None:
            customer_id = order.customer_id
            total, total_text = order.total, Money(order.total, order.currency).format()
            country = (order.shipping_address.get("country") or "").upper() or None
            skus = tuple(line.sku for line in order.lines)
            channel = order.channel
            paid = await uow.sales.paid_orders_of(order.customer_id)
            earlier = paid - (1 if order.paid_at is not None else 0)
    tags: tuple[str, ...] = ()
    if isinstance(customer_id, int):
        customer = await uow.customers.get(customer_id)
        if customer is not None:
            tags = tuple(customer.tags)
            country = country or (customer.country or "").upper() or None
    if isinstance(payload.get("sku"), str):
        skus = (payload["sku"],)
    return Facts(
        event_type,
        order_id if isinstance(order_id, int) else None,
        customer_id if isinstance(customer_id, int) else None,
        total,
        total_text,
        country,
        tags,
        earlier,
        skus,
        channel,
    )


async def _act(
    uow: UnitOfWork, rule: Rule, facts: Facts, event_id: str, payload: dict[str, Any], now: datetime
) -> list[str]:
    done = []
    extra: dict[str, str] = {}  # what earlier actions made, for later messages ({coupon})
    actor = Actor.system(f"{AUTOMATION_ACTOR_PREFIX}{rule.name}")
    for action in rule.actions:
        key, value = action
        if key in ("tag_customer", "untag_customer") and facts.customer_id is not None:
            customer = await uow.customers.get(facts.customer_id)
            if customer is not None:
                (customer.tag if key == "tag_customer" else customer.untag)(value)
        elif key == "call_webhook":
            body = {
                "type": facts.event,
                "id": event_id,
                "timestamp": now.isoformat(),
                "data": {"rule": rule.name, "event": payload},
            }
            if not await webhooks_of(uow).enqueue(value, event_id, facts.event, body, now):
                done.append(f"not sent: webhook {value} does not exist or already has this event")
                continue
        elif key == "hold_order" and facts.order_id is not None:
            order = await load_order(uow, facts.order_id)
            if order.status != OrderStatus.PAID:
                done.append(f"not held: order {order.id} is {order.status.value.replace('_', ' ')}")
                continue
            assert order.id is not None
            order.transition(OrderStatus.AWAITING_APPROVAL, now)
            reason = f"{value} (rule {rule.name})"
            order.approval_reasons = [*order.approval_reasons, reason]
            uow.publish(events.OrderNeedsApproval(order.id, order.customer_id, (reason,)))
            uow.publish(events.OrderStatusChanged(order.id, order.customer_id, "paid", order.status.value, actor.name))
        elif key == "issue_coupon" and facts.customer_id is not None:
            template = await uow.sales.coupon_by_code(value)
            if template is None:
                done.append(f"not issued: there is no coupon {value}")
                continue
            try:
                personal = template.personal_copy(facts.customer_id, f"automation {rule.name}")
            except ValidationFailed as exc:
                done.append(f"not issued: {exc.message}")
                continue
            await uow.sales.add_coupons([personal])
            extra["coupon"] = personal.code
            done.append(f"issued coupon {personal.code} to customer {facts.customer_id}")
            continue
        elif key == "message_shopper" and facts.order_id is not None and facts.customer_id is not None:
            texts = {lang: render(text, facts, extra) for lang, text in value.items()}
            uow.publish(events.AutomationMessage(facts.order_id, facts.customer_id, rule.name, texts))
        elif key == "notify_slack":
            uow.publish(events.AutomationNotice(rule.name, render(value, facts), event_id))
        done.append(describe(action, facts))
    return done


async def run_automations(cmd: RunAutomations, ctx: Context) -> int:
    """Runs the rules; returns how many matched. Events a rule caused trigger nothing (no loops)."""
    if caused_by_automation(cmd.payload):
        return 0
    matched = 0
    async with ctx.uow() as uow:
        repo = automations_of(uow)
        rules = await repo.enabled_for(cmd.event_type)
        if not rules:
            return 0
        now = ctx.now()
        facts = await gather(uow, cmd.event_type, cmd.payload)
        for rule in rules:
            run_id = await repo.claim_run(rule.id or 0, cmd.event_id, cmd.event_type, now)
            if run_id is None:
                continue  # it already ran for this event
            verdict = evaluate(rule, facts)
            actions = await _act(uow, rule, facts, cmd.event_id, cmd.payload, now) if verdict.matched else []
            await repo.finish_run(run_id, verdict.matched, actions or list(verdict.reasons))
            if verdict.matched:
                matched += 1
                log.info("automation %s on %s %s: %s", rule.name, cmd.event_type, cmd.event_id, "; ".join(actions))
        await uow.commit()
    return matched


async def dry_run(cmd: DryRunAutomation, ctx: Context) -> list[DryRunLine]:
    cmd.actor.require(Permission.VIEW)
    if not 1 <= cmd.last <= MAX_DRY_RUN:
        raise ValidationFailed(f"--last is between 1 and {MAX_DRY_RUN}.")
    async with ctx.uow() as uow:
        repo = automations_of(uow)
        rule = await repo.get(cmd.name.strip().lower())
        if rule is None:
            raise NotFound(f"There is no automation rule {cmd.name}.")
        lines = []
        for event_id, occurred_at, payload in await repo.recent_events(rule.when, cmd.last):
            if caused_by_automation(payload):
                continue
            verdict = evaluate(rule, await gather(uow, rule.when, payload))
            lines.append(DryRunLine(event_id, occurred_at, verdict))
        return lines  # nothing committed: a dry run changes nothing


HANDLERS: dict[type[Any], Any] = {
    PutAutomationRule: put_rule,
    SetAutomationEnabled: set_enabled,
    RunAutomations: run_automations,
    DryRunAutomation: dry_run,
}
