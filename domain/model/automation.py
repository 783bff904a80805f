"""Automation rules (what Shopify Flow does), plain Python: **when** an event, **if** conditions on its order,
customer or SKU, **then** actions. A rule is authored as YAML; the parsed mapping is checked here::

    name: big-first-orders
    when: OrderPaid
    if:
      - total_over: "200.00"        # in the shop currency, major units
      - country_in: [US, CA]        # the order's shipping country (else the customer's)
      - tag_has: vip                # the customer has this tag
      - first_order: true           # the customer's first paid order (false: a repeat customer)
      - sku_in: [SHOE-RED-42]       # any line of the order (or the SKU of a stock event)
      - channel_is: telegram        # the channel the order was placed on
    then:
      - tag_customer: big-spender
      - hold_order: "first big order"   # a paid order waits for approval, with this reason
      - notify_slack: "Order {order_id} ({total}) from {country}"
      - untag_customer: prospect
      - call_webhook: 3                 # send the event, signed, to webhook subscription 3
      - issue_coupon: THANKS10          # a personal single-use copy of this coupon; {coupon} in messages
      - message_shopper:                # on the order's chat, in the shopper's language (else English)
          en: "Thanks for order {order_id}! {coupon} takes 10% off your next one."
          zh: "感谢您的订单 {order_id}！下次使用 {coupon} 可享九折。"

Every condition must hold. What exists: the triggers in ``TRIGGERS``, the conditions and actions above.
``CustomerCreated`` (a customer first seen) takes the customer's conditions (country_in, tag_has,
channel_is: where they came from) and actions (tags, issue_coupon, notify_slack, call_webhook);
``CampaignFinished`` takes ``sent_over: 1000`` and notify_slack / call_webhook ({campaign}, {sent},
{unknown} in messages); ``LowStock`` is about a SKU.

A rule runs at most once per event. Events a rule's actions cause carry the depth of the event that
triggered it plus one; rules stop running at ``MAX_DEPTH`` (logged), so rules can't trigger each other
in a loop. An action the order can't take yet (holding an order that is not paid yet) is tried again
later, ``ACTION_ATTEMPTS`` times in all, then recorded as failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.errors import ValidationFailed

TRIGGERS = (
    "OrderPlaced",
    "OrderPaid",
    "OrderShipped",
    "OrderCancelled",
    "DeliveryException",
    "LowStock",
    "CustomerCreated",
    "CampaignFinished",
)
CONDITIONS = ("total_over", "country_in", "tag_has", "first_order", "sku_in", "channel_is", "sent_over")
ACTIONS = (
    "tag_customer",
    "untag_customer",
    "hold_order",
    "notify_slack",
    "call_webhook",
    "issue_coupon",
    "message_shopper",
)
SHOPPER_LANGUAGES = ("en", "zh")
ORDER_ONLY = frozenset({"total_over", "first_order", "channel_is", "hold_order", "message_shopper", "issue_coupon"})
# What a trigger that is not about an order can look at and do (the rest need an order).
NOT_ORDER_TRIGGERS: dict[str, frozenset[str]] = {
    "LowStock": frozenset({"country_in", "sku_in", "notify_slack", "call_webhook"}),
    "CustomerCreated": frozenset(
        {"country_in", "tag_has", "channel_is", "tag_customer", "untag_customer", "issue_coupon"}
        | {"notify_slack", "call_webhook"}
    ),
    "CampaignFinished": frozenset({"sent_over", "notify_slack", "call_webhook"}),
}
MAX_DEPTH = 3  # rules run on events caused by at most this many rules in a row (a person's action is depth 0)
ACTION_ATTEMPTS = 5  # an action the order can't take yet: tried this many times in all, then failed
RETRY_DELAY_SECONDS = 60  # before the first retry; doubled each time (1, 2, 4, 8 minutes)
AUTOMATION_ACTOR_PREFIX = "automation:"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
TEMPLATE_FIELDS = (
    "order_id",
    "customer_id",
    "total",
    "country",
    "channel",
    "sku",
    "event",
    "coupon",
    "campaign",
    "sent",
    "unknown",
)


@dataclass(frozen=True)
class Rule:
    name: str
    when: str
    conditions: tuple[tuple[str, Any], ...]
    actions: tuple[tuple[str, Any], ...]
    enabled: bool = True
    id: int | None = None


@dataclass(frozen=True)
class Facts:
    """What conditions look at, gathered once per event. None: the event has no such thing."""

    event: str
    order_id: int | None = None
    customer_id: int | None = None
    total: int | None = None  # minor units
    total_text: str = ""
    country: str | None = None
    tags: tuple[str, ...] = ()
    earlier_paid_orders: int | None = None  # the customer's paid orders before this one
    skus: tuple[str, ...] = ()
    channel: str | None = None
    campaign: str | None = None  # CampaignFinished: its name, and how many messages went out / are unknown
    sent: int | None = None
    unknown: int | None = None


@dataclass(frozen=True)
class Verdict:
    matched: bool
    reasons: tuple[str, ...]  # one line per condition: why it held or not
    actions: tuple[str, ...] = field(default=())  # what the rule does (or would do), in words


def _one(item: Any, where: str) -> tuple[str, Any]:
    if not isinstance(item, dict) or len(item) != 1:
        raise ValidationFailed(f"Each entry of {where} is one 'key: value' pair, e.g. '- tag_has: vip'.")
    ((key, value),) = item.items()
    return str(key), value


def _strings(value: Any, key: str, upper: bool = False) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(v, str) and v.strip() for v in items):
        raise ValidationFailed(f"{key} takes a text or a list of texts.")
    return tuple(v.strip().upper() if upper else v.strip().lower() for v in items)


def _check_template(key: str, text: str) -> None:
    for found in re.findall(r"{(\w*)}", text):
        if found not in TEMPLATE_FIELDS:
            raise ValidationFailed(f"{key}: {{{found}}} is not a field; use {', '.join(TEMPLATE_FIELDS)}.")


def parse_rule(spec: Any, currency_exponent: int = 2) -> Rule:
    """A rule from its YAML mapping, or ``ValidationFailed`` naming what is wrong."""
    if not isinstance(spec, dict):
        raise ValidationFailed("A rule is a mapping with name, when, if and then.")
    unknown = set(spec) - {"name", "when", "if", "then"}
    if unknown:
        raise ValidationFailed(
            f"Unknown key(s) {', '.join(sorted(map(str, unknown)))}; a rule has name, when, if, then."
        )
    name = str(spec.get("name", "")).strip().lower()
    if not NAME.match(name):
        raise ValidationFailed("name: lower-case letters, digits, - and _, up to 80, e.g. big-first-orders.")
    when = str(spec.get("when", "")).strip()
    if when not in TRIGGERS:
        raise ValidationFailed(f"when: one of {', '.join(TRIGGERS)}.")
    conditions: list[tuple[str, Any]] = []
    for item in spec.get("if") or []:
        key, value = _one(item, "if")
        if key == "total_over":
            try:
                amount = Decimal(str(value))
            except InvalidOperation:
                raise ValidationFailed('total_over takes an amount like "200.00".') from None
            minor = amount.scaleb(currency_exponent)
            if minor != minor.to_integral_value() or minor < 0:
                raise ValidationFailed(f"total_over: {value} is not an amount in the shop currency.")
            conditions.append((key, int(minor)))
        elif key in ("country_in", "sku_in"):
            conditions.append((key, _strings(value, key, upper=True)))
        elif key in ("tag_has", "channel_is"):
            (text,) = _strings(value, key) if isinstance(value, str) else ("",)
            if not text:
                raise ValidationFailed(f"{key} takes one text.")
            conditions.append((key, text))
        elif key == "first_order":
            if not isinstance(value, bool):
                raise ValidationFailed("first_order takes true or false.")
            conditions.append((key, value))
        elif key == "sent_over":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValidationFailed("sent_over takes a number of messages, e.g. 1000.")
            conditions.append((key, value))
        else:
            raise ValidationFailed(f"Unknown condition {key}; known: {', '.join(CONDITIONS)}.")
    actions: list[tuple[str, Any]] = []
    for item in spec.get("then") or []:
        key, value = _one(item, "then")
        if key not in ACTIONS:
            raise ValidationFailed(f"Unknown action {key}; known: {', '.join(ACTIONS)}.")
        if key == "message_shopper":
            texts = value if isinstance(value, dict) else {"en": value}
            if "en" not in texts or set(texts) - set(SHOPPER_LANGUAGES):
                raise ValidationFailed("message_shopper takes a text, or texts by language (en, zh) with en.")
            for text in texts.values():
                if not isinstance(text, str) or not text.strip() or len(text) > 1000:
                    raise ValidationFailed("message_shopper: each text has 1 to 1000 characters.")
                _check_template(key, text)
            actions.append((key, {lang: text.strip() for lang, text in texts.items()}))
            continue
        if key == "call_webhook":
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValidationFailed("call_webhook takes the id of a webhook subscription (chatshop webhook list).")
            actions.append((key, value))
            continue
        if not isinstance(value, str) or not value.strip():
            raise ValidationFailed(f"{key} takes a text (a tag, a reason or a message).")
        if key == "notify_slack":
            _check_template(key, value)
        if key.endswith("tag_customer"):
            value = value.strip().lower()
        elif key == "issue_coupon":
            value = value.strip().upper()
        actions.append((key, value.strip()))
    if not actions:
        raise ValidationFailed("then: at least one action.")
    allowed = NOT_ORDER_TRIGGERS.get(when)
    if allowed is not None:
        misplaced = sorted({k for k, _ in [*conditions, *actions]} - allowed)
        if misplaced:
            about = {"LowStock": "a SKU", "CustomerCreated": "a new customer", "CampaignFinished": "a campaign"}
            raise ValidationFailed(
                f"{when} is about {about[when]}, not an order: {', '.join(misplaced)}; "
                f"it takes {', '.join(sorted(allowed))}."
            )
    elif "sent_over" in {k for k, _ in conditions}:
        raise ValidationFailed("sent_over is about a campaign: use it with when: CampaignFinished.")
    return Rule(name, when, tuple(conditions), tuple(actions))


def rule_spec(rule: Rule) -> dict[str, Any]:
    """The mapping stored and shown (values as parsed: totals in minor units)."""
    return {
        "name": rule.name,
        "when": rule.when,
        "if": [{k: list(v) if isinstance(v, tuple) else v for k, v in [c]} for c in rule.conditions],
        "then": [{k: v} for k, v in rule.actions],
    }


def rule_from_spec(spec: dict[str, Any], enabled: bool = True, rule_id: int | None = None) -> Rule:
    conditions = tuple((k, tuple(v) if isinstance(v, list) else v) for c in spec["if"] for k, v in c.items())
    actions = tuple((k, v) for a in spec["then"] for k, v in a.items())
    return Rule(spec["name"], spec["when"], conditions, actions, enabled, rule_id)


def _check(key: str, value: Any, facts: Facts) -> tuple[bool, str]:
    if key == "total_over":
        if facts.total is None:
            return False, "no order total"
        over = facts.total > value
        return over, f"total {facts.total_text} {'>' if over else '<='} {value} (minor units)"
    if key == "country_in":
        inside = facts.country in value
        return inside, f"country {facts.country or 'unknown'} {'in' if inside else 'not in'} {', '.join(value)}"
    if key == "tag_has":
        has = value in facts.tags
        return has, f"tags [{', '.join(facts.tags)}] {'have' if has else 'lack'} {value}"
    if key == "first_order":
        first = facts.earlier_paid_orders == 0
        return first == value, f"{'first' if first else 'not the first'} paid order"
    if key == "sku_in":
        hit = sorted(set(facts.skus) & set(value))
        found = "include " + ", ".join(hit) if hit else "include none of " + ", ".join(value)
        return bool(hit), f"SKUs {', '.join(facts.skus) or 'none'} {found}"
    if key == "sent_over":
        over = facts.sent is not None and facts.sent > value
        return over, f"{facts.sent if facts.sent is not None else 'no'} messages sent, {'>' if over else '<='} {value}"
    same = facts.channel == value  # channel_is
    return same, f"channel {facts.channel or 'unknown'} {'is' if same else 'is not'} {value}"


def render(template: str, facts: Facts, extra: dict[str, str] | None = None) -> str:
    values: dict[str, object] = {
        **(extra or {}),
        "order_id": facts.order_id,
        "customer_id": facts.customer_id,
        "total": facts.total_text,
        "country": facts.country,
        "channel": facts.channel,
        "sku": ", ".join(facts.skus),
        "event": facts.event,
        "campaign": facts.campaign,
        "sent": facts.sent,
        "unknown": facts.unknown,
    }

    def field(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return "-" if value is None or value == "" else str(value)

    return re.sub(r"{(\w+)}", field, template)


def describe(action: tuple[str, Any], facts: Facts) -> str:
    key, value = action
    if key == "tag_customer":
        return f"tag customer {facts.customer_id} {value}"
    if key == "untag_customer":
        return f"untag customer {facts.customer_id} {value}"
    if key == "call_webhook":
        return f"send the event to webhook {value}"
    if key == "issue_coupon":
        return f"issue customer {facts.customer_id} a personal copy of coupon {value}"
    if key == "message_shopper":
        return f"message the shopper: {render(value['en'], facts)}"
    if key == "hold_order":
        return f"hold order {facts.order_id} for approval ({value})"
    return f"tell Slack: {render(value, facts)}"


def evaluate(rule: Rule, facts: Facts) -> Verdict:
    checks = [_check(key, value, facts) for key, value in rule.conditions]
    matched = all(ok for ok, _ in checks)
    reasons = tuple(f"{'yes' if ok else 'no'}: {why}" for ok, why in checks) or ("no conditions",)
    return Verdict(matched, reasons, tuple(describe(a, facts) for a in rule.actions) if matched else ())
