"""Automation rules: add/redefine, enable/disable, run on committed events (once per rule and event), dry run.

The repository comes with the unit of work (``uow.automations``, see ``domain/adapters/unit_of_work.py``).
A rule's actions happen in the transaction that records its run, so a crash either does both or neither,
and the outbox's retry runs the rule again. An action the order can't take now but may later (holding an
order not paid yet) is tried again through the outbox (``AutomationActionRetry``, written to be delivered
later), ``ACTION_ATTEMPTS`` times in all, each try and the final failure written in the run's record; one
it can never take (holding a cancelled order) is written there at once instead of failing the event.
Events the actions cause carry the triggering event's depth + 1; at ``max_depth`` rules stop (logged).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from domain import events
from domain.commands_automation import (
    DryRunAutomation,
    PutAutomationRule,
    RetryAutomationAction,
    RunAutomations,
    SetAutomationEnabled,
)
from domain.errors import NotFound, ValidationFailed
from domain.model.automation import (
    ACTION_ATTEMPTS,
    AUTOMATION_ACTOR_PREFIX,
    RETRY_DELAY_SECONDS,
    Facts,
    Rule,
    Verdict,
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
from domain.service_layer.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
MAX_DRY_RUN = 200


@dataclass(frozen=True)
class DryRunLine:
    event_id: str
    occurred_at: datetime
    verdict: Verdict


async def put_rule(cmd: PutAutomationRule, ctx: Context) -> str:
    cmd.actor.require(Permission.MANAGE_INTEGRATIONS)
    rule = parse_rule(cmd.spec, exponent(ctx.config.currency))
    async with ctx.uow() as uow:
        await uow.automations.put(rule, cmd.source, cmd.actor.name, ctx.now())
        await uow.commit()
    return rule.name


async def set_enabled(cmd: SetAutomationEnabled, ctx: Context) -> None:
    cmd.actor.require(Permission.MANAGE_INTEGRATIONS)
    async with ctx.uow() as uow:
        if not await uow.automations.set_enabled(cmd.name.strip().lower(), cmd.enabled, ctx.now()):
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
    if channel is None and isinstance(payload.get("channel"), str):
        channel = payload["channel"]  # CustomerCreated: where they came from
    campaign = payload.get("campaign") if event_type == "CampaignFinished" else None
    sent, unknown = payload.get("sent"), payload.get("unknown")
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
        campaign if isinstance(campaign, str) else None,
        sent if isinstance(sent, int) else None,
        unknown if isinstance(unknown, int) else None,
    )


class _Later(Exception):
    """The order can't take this action now but may later (it is not paid yet): try again through the outbox."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


async def _act_one(
    uow: UnitOfWork,
    rule: Rule,
    index: int,
    facts: Facts,
    event_id: str,
    payload: dict[str, Any],
    now: datetime,
    extra: dict[str, str],
) -> str | None:
    """Take action ``index`` of the rule: what was done (or why not, for good), None for nothing to say;
    ``_Later`` when the order can't take it yet."""
    key, value = action = rule.actions[index]
    actor = Actor.system(f"{AUTOMATION_ACTOR_PREFIX}{rule.name}")
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
        if not await uow.webhooks.enqueue(value, event_id, facts.event, body, now):
            return f"not sent: webhook {value} does not exist or already has this event"
    elif key == "hold_order" and facts.order_id is not None:
        order = await load_order(uow, facts.order_id)
        if order.status == OrderStatus.PENDING_PAYMENT:
            raise _Later(f"not held yet: order {order.id} is not paid yet")
        if order.status != OrderStatus.PAID:
            return f"not held: order {order.id} is {order.status.value.replace('_', ' ')}"
        assert order.id is not None
        order.transition(OrderStatus.AWAITING_APPROVAL, now)
        reason = f"{value} (rule {rule.name})"
        order.approval_reasons = [*order.approval_reasons, reason]
        uow.publish(events.OrderNeedsApproval(order.id, order.customer_id, (reason,)))
        uow.publish(events.OrderStatusChanged(order.id, order.customer_id, "paid", order.status.value, actor.name))
    elif key == "issue_coupon" and facts.customer_id is not None:
        template = await uow.sales.coupon_by_code(value)
        if template is None:
            return f"not issued: there is no coupon {value}"
        try:
            personal = template.personal_copy(facts.customer_id, f"automation {rule.name}")
        except ValidationFailed as exc:
            return f"not issued: {exc.message}"
        await uow.sales.add_coupons([personal])
        extra["coupon"] = personal.code
        return f"issued coupon {personal.code} to customer {facts.customer_id}"
    elif key == "message_shopper" and facts.order_id is not None and facts.customer_id is not None:
        texts = {lang: render(text, facts, extra) for lang, text in value.items()}
        uow.publish(events.AutomationMessage(facts.order_id, facts.customer_id, rule.name, texts))
    elif key == "notify_slack":
        uow.publish(events.AutomationNotice(rule.name, render(value, facts), event_id))
    return describe(action, facts)


def _retry_later(
    uow: UnitOfWork,
    rule: Rule,
    event_id: str,
    event_type: str,
    payload: dict[str, Any],
    index: int,
    attempt: int,
    now: datetime,
) -> datetime:
    """Write the next try to the outbox, delivered after a delay that doubles with each try."""
    retry = events.AutomationActionRetry(rule.name, event_id, event_type, payload, index, attempt + 1)
    at = now + timedelta(seconds=RETRY_DELAY_SECONDS * 2 ** (attempt - 1))
    uow.publish_later(at, retry)
    return at


async def _act(
    uow: UnitOfWork, rule: Rule, facts: Facts, event_id: str, payload: dict[str, Any], now: datetime
) -> list[str]:
    done = []
    extra: dict[str, str] = {}  # what earlier actions made, for later messages ({coupon})
    for index in range(len(rule.actions)):
        try:
            line = await _act_one(uow, rule, index, facts, event_id, payload, now, extra)
        except _Later as later:
            at = _retry_later(uow, rule, event_id, facts.event, payload, index, 1, now)
            line = f"{later.line}; try 2 of {ACTION_ATTEMPTS} at {at.isoformat(timespec='seconds')}"
        if line:
            done.append(line)
    return done


async def run_automations(cmd: RunAutomations, ctx: Context) -> int:
    """Runs the rules; returns how many matched. At ``max_depth`` (events caused by that many rules in a
    row) nothing runs: rules can't trigger each other in a loop."""
    if cmd.depth >= cmd.max_depth:
        log.warning(
            "automation loop guard: %s %s was caused by %d rules in a row (cap %d); no rule runs on it",
            cmd.event_type,
            cmd.event_id,
            cmd.depth,
            cmd.max_depth,
        )
        return 0
    matched = 0
    async with ctx.uow() as uow:
        uow.cause_depth = cmd.depth + 1  # what the actions cause is one rule deeper
        repo = uow.automations
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


async def retry_action(cmd: RetryAutomationAction, ctx: Context) -> str:
    """One more try of an action the order could not take; what happened is added to the run's record."""
    async with ctx.uow() as uow:
        if cmd.retry_id and not await uow.claim_once("automation-retry", cmd.retry_id):
            return "duplicate"
        repo = uow.automations
        rule = await repo.get(cmd.rule)
        if rule is None or not rule.enabled or cmd.action >= len(rule.actions):
            line = f"try {cmd.attempt}: not tried, the rule was removed, disabled or changed"
        else:
            now = ctx.now()
            facts = await gather(uow, cmd.event_type, cmd.payload)
            try:
                done = await _act_one(uow, rule, cmd.action, facts, cmd.event_id, cmd.payload, now, {})
                line = f"try {cmd.attempt}: {done}"
            except _Later as later:
                if cmd.attempt >= ACTION_ATTEMPTS:
                    line = f"failed after {cmd.attempt} tries: {later.line}"
                    log.warning("automation %s on %s: %s", cmd.rule, cmd.event_id, line)
                else:
                    args = (cmd.event_id, cmd.event_type, cmd.payload, cmd.action, cmd.attempt, now)
                    at = _retry_later(uow, rule, *args)
                    line = f"try {cmd.attempt}: {later.line}; next at {at.isoformat(timespec='seconds')}"
        await repo.note_run(cmd.rule, cmd.event_id, line)
        await uow.commit()
        return line


async def dry_run(cmd: DryRunAutomation, ctx: Context) -> list[DryRunLine]:
    cmd.actor.require(Permission.VIEW)
    if not 1 <= cmd.last <= MAX_DRY_RUN:
        raise ValidationFailed(f"--last is between 1 and {MAX_DRY_RUN}.")
    async with ctx.uow() as uow:
        repo = uow.automations
        rule = await repo.get(cmd.name.strip().lower())
        if rule is None:
            raise NotFound(f"There is no automation rule {cmd.name}.")
        lines = []
        for event_id, occurred_at, payload in await repo.recent_events(rule.when, cmd.last):
            verdict = evaluate(rule, await gather(uow, rule.when, payload))
            lines.append(DryRunLine(event_id, occurred_at, verdict))
        return lines  # nothing committed: a dry run changes nothing


HANDLERS: dict[type[Any], Any] = {
    PutAutomationRule: put_rule,
    SetAutomationEnabled: set_enabled,
    RunAutomations: run_automations,
    RetryAutomationAction: retry_action,
    DryRunAutomation: dry_run,
}
