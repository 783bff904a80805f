"""Segments: who a campaign is for, as a rule over CRM data (``{"all": [...]}``, ``{"any": [...]}``,
``{"not": ...}`` and conditions on a field). Plain Python: the SQL that evaluates one lives in
``domain/adapters/campaigns_segments.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from domain.errors import ValidationFailed

CAMPAIGN_CHANNELS = ("telegram", "webchat", "email")
MAX_RULE_DEPTH = 6
MAX_RULE_NODES = 50


class Field(StrEnum):
    CHANNEL = "channel"  # has an identity on the channel (email: has an address)
    LOCALE = "locale"
    COUNTRY = "country"
    TAG = "tag"
    CONSENT = "consent"  # marketing opt-in (reachable counts always require it)
    FIRST_ORDER = "first_order"  # date of the first order
    LAST_ORDER = "last_order"
    ORDER_COUNT = "order_count"  # orders that were paid (or went further)
    LIFETIME_VALUE = "lifetime_value"  # minor units captured minus refunded
    BOUGHT_CATEGORY = "bought_category"  # category slug (its subcategories count too)
    BOUGHT_PRODUCT = "bought_product"  # product slug or SKU
    CART_ABANDONED_HOURS = "cart_abandoned_hours"  # a non-empty cart untouched for more than N hours
    INACTIVE_DAYS = "inactive_days"  # no order for N days or more (never ordered counts)
    # From the nightly customer scores (domain/scoring.py); a customer without a score never matches these.
    CHURN_RISK = "churn_risk"  # p(no order in the next 90 days), 0–1
    EXPECTED_VALUE = "expected_value"  # expected spend in the next 365 days, in MAJOR units of the shop currency


# Which operators each field takes and what kind of value.
_OPS: dict[Field, tuple[set[str], str]] = {
    Field.CHANNEL: ({"in"}, "str_list"),
    Field.LOCALE: ({"in", "not_in"}, "str_list"),
    Field.COUNTRY: ({"in", "not_in"}, "str_list"),
    Field.TAG: ({"any", "all", "none"}, "str_list"),
    Field.CONSENT: ({"is"}, "bool"),
    Field.FIRST_ORDER: ({"before", "after"}, "date"),
    Field.LAST_ORDER: ({"before", "after"}, "date"),
    Field.ORDER_COUNT: ({"gte", "lte", "eq"}, "int"),
    Field.LIFETIME_VALUE: ({"gte", "lte"}, "int"),
    Field.BOUGHT_CATEGORY: ({"any"}, "str_list"),
    Field.BOUGHT_PRODUCT: ({"any"}, "str_list"),
    Field.CART_ABANDONED_HOURS: ({"gt"}, "int"),
    Field.INACTIVE_DAYS: ({"gte"}, "int"),
    Field.CHURN_RISK: ({"gt", "gte", "lt", "lte"}, "probability"),
    Field.EXPECTED_VALUE: ({"gt", "gte", "lt", "lte"}, "amount"),
}


@dataclass(frozen=True)
class Condition:
    field: Field
    op: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class AnyOf:
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class NotRule:
    rule: Rule


Rule = Condition | AllOf | AnyOf | NotRule


def parse_rule(data: Any, _depth: int = 0, _count: list[int] | None = None) -> Rule:
    """A rule from its JSON form, validated, e.g.
    ``{"all": [{"field": "country", "op": "in", "value": ["DE"]}, {"any": [...]}, {"not": {...}}]}``.
    """
    count = _count if _count is not None else [0]
    count[0] += 1
    if _depth > MAX_RULE_DEPTH or count[0] > MAX_RULE_NODES:
        raise ValidationFailed(f"A segment may nest {MAX_RULE_DEPTH} deep and hold {MAX_RULE_NODES} rules at most.")
    if not isinstance(data, dict) or len(data) == 0:
        raise ValidationFailed("Each segment rule must be an object.")
    if "all" in data or "any" in data:
        key = "all" if "all" in data else "any"
        items = data[key]
        if len(data) != 1 or not isinstance(items, list) or not items:
            raise ValidationFailed(f'"{key}" takes a non-empty list of rules and nothing beside it.')
        rules = tuple(parse_rule(item, _depth + 1, count) for item in items)
        return AllOf(rules) if key == "all" else AnyOf(rules)
    if "not" in data:
        if len(data) != 1:
            raise ValidationFailed('"not" takes one rule and nothing beside it.')
        return NotRule(parse_rule(data["not"], _depth + 1, count))
    return _condition(data)


def _condition(data: dict[str, Any]) -> Condition:
    try:
        fld = Field(str(data.get("field")))
    except ValueError:
        names = ", ".join(f.value for f in Field)
        raise ValidationFailed(f"Unknown segment field {data.get('field')!r}; use one of: {names}.") from None
    ops, kind = _OPS[fld]
    op = data.get("op", next(iter(sorted(ops))) if len(ops) == 1 else None)
    if op not in ops:
        raise ValidationFailed(f"Field {fld.value} takes op {' / '.join(sorted(ops))}, not {op!r}.")
    raw = data.get("value")
    value: Any
    if kind == "str_list":
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
            raise ValidationFailed(f"Field {fld.value} needs a value: a word or a list of words.")
        value = tuple(i.strip().lower() if fld != Field.COUNTRY else i.strip().upper() for i in items)
        if fld == Field.CHANNEL and not set(value) <= set(CAMPAIGN_CHANNELS):
            raise ValidationFailed(f"Channels are {', '.join(CAMPAIGN_CHANNELS)}.")
    elif kind == "bool":
        if not isinstance(raw, bool):
            raise ValidationFailed(f"Field {fld.value} needs true or false.")
        value = raw
    elif kind == "int":
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
            raise ValidationFailed(f"Field {fld.value} needs a whole number of at least 0.")
        value = raw
    elif kind == "probability":
        if not isinstance(raw, int | float) or isinstance(raw, bool) or not 0 <= raw <= 1:
            raise ValidationFailed(f"Field {fld.value} needs a probability from 0 to 1, like 0.7.")
        value = float(raw)
    elif kind == "amount":
        value = _amount(fld, raw)
    else:
        try:
            value = datetime.fromisoformat(str(raw)).date().isoformat()
        except ValueError:
            raise ValidationFailed(f"Field {fld.value} needs a date like 2026-01-31.") from None
    return Condition(fld, str(op), value)


def _amount(fld: Field, raw: Any) -> str:
    """An amount in major units ("50", "49.99", 50) kept as its exact decimal text: the SQL compares it in minor
    units of each score's currency, and a float never stands in for money."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValidationFailed(f"Field {fld.value} needs an amount in the shop currency, like 50 or 49.99.")
    try:
        amount = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationFailed(f"Field {fld.value} needs an amount in the shop currency, like 50 or 49.99.") from None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -3:  # type: ignore[operator]
        raise ValidationFailed(f"Field {fld.value} needs an amount of at least 0 with at most 3 decimals.")
    return format(amount.normalize(), "f")


def rule_to_json(rule: Rule) -> dict[str, Any]:
    if isinstance(rule, AllOf):
        return {"all": [rule_to_json(r) for r in rule.rules]}
    if isinstance(rule, AnyOf):
        return {"any": [rule_to_json(r) for r in rule.rules]}
    if isinstance(rule, NotRule):
        return {"not": rule_to_json(rule.rule)}
    value = list(rule.value) if isinstance(rule.value, tuple) else rule.value
    return {"field": rule.field.value, "op": rule.op, "value": value}


EVERYONE: dict[str, Any] = {"all": [{"field": "consent", "op": "is", "value": True}]}
