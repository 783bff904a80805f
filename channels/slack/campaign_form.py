"""The "New campaign" modal, read: Slack's view state translated into a segment and a ``CreateCampaign``.

Translation only: which input is which field, a comma list into words, an amount in major units into
minor units (``Money.parse``, never a float), a date without an offset into UTC. Whether the result is
acceptable is the domain's to say (``parse_rule`` for each condition, ``draft_problems`` for the rest);
this module only puts the domain's answer beside the input it concerns.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain import commands as c
from domain.errors import ValidationFailed
from domain.model.campaigns import EVERYONE, parse_rule
from domain.model.money import Money
from domain.model.staff import Actor

Values = dict[str, str | list[str] | None]
DEFAULT_QUIET = "21:00-09:00"

# Where the domain's problems (``draft_problems`` keys) are shown; anything else goes beside the name.
_PROBLEM_BLOCKS = {
    "name": "name",
    "channels": "channels",
    "contents": "text_en",
    "schedule": "schedule",
    "send_at": "send_at",
    "cron": "cron",
    "quiet_hours": "quiet_hours",
    "frequency_cap": "cap_messages",
}
_CONTENT_BLOCKS = {"image_url": "image_url", "skus": "skus", "coupon": "coupon"}


def read_state(view: dict[str, Any]) -> Values:
    """Every input's value by block id: text (None when empty), one choice, or a list of choices."""
    values: Values = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        for state in elements.values():
            kind = state.get("type")
            if kind in ("checkboxes", "multi_static_select"):
                values[block_id] = [str(o["value"]) for o in state.get("selected_options") or []]
            elif kind in ("static_select", "radio_buttons"):
                values[block_id] = str((state.get("selected_option") or {}).get("value") or "") or None
            else:
                values[block_id] = str(state.get("value") or "").strip() or None
    return values


def _text(values: Values, key: str) -> str:
    value = values.get(key)
    return value.strip() if isinstance(value, str) else ""


def _chosen(values: Values, key: str) -> list[str]:
    value = values.get(key)
    return list(value) if isinstance(value, list) else ([value] if value else [])


def words(text: str) -> list[str]:
    return [w for w in re.split(r"[,\s]+", text) if w]


@dataclass(frozen=True)
class Segment:
    rule: dict[str, Any]
    channels: tuple[str, ...]


def read_segment(values: Values, currency: str) -> tuple[Segment, dict[str, str]]:
    """The segment (all of the filled-in conditions, or everyone opted in) and problems by block id."""
    errors: dict[str, str] = {}
    conditions: list[tuple[str, dict[str, Any]]] = []

    def whole(block: str, field: str, op: str) -> None:
        text = _text(values, block)
        if not text:
            return
        try:
            conditions.append((block, {"field": field, "op": op, "value": int(text)}))
        except ValueError:
            errors[block] = "A whole number, like 3."

    if locales := _chosen(values, "seg_locale"):
        conditions.append(("seg_locale", {"field": "locale", "op": "in", "value": locales}))
    if countries := words(_text(values, "seg_country")):
        conditions.append(("seg_country", {"field": "country", "op": "in", "value": countries}))
    if tags := words(_text(values, "seg_tag")):
        conditions.append(("seg_tag", {"field": "tag", "op": "any", "value": tags}))
    whole("seg_orders", "order_count", "gte")
    if ltv := _text(values, "seg_ltv"):
        try:
            amount = Money.parse(ltv, currency).amount
        except ValueError:
            errors["seg_ltv"] = f"An amount in {currency}, like 100.00."
        else:
            conditions.append(("seg_ltv", {"field": "lifetime_value", "op": "gte", "value": amount}))
    if category := _text(values, "seg_category"):
        conditions.append(("seg_category", {"field": "bought_category", "op": "any", "value": [category]}))
    whole("seg_inactive", "inactive_days", "gte")
    whole("seg_cart", "cart_abandoned_hours", "gt")
    if churn := _text(values, "seg_churn"):
        if churn.isdigit() and int(churn) <= 100:
            conditions.append(("seg_churn", {"field": "churn_risk", "op": "gt", "value": int(churn) / 100}))
        else:
            errors["seg_churn"] = "A percentage from 0 to 100, like 70."
    if worth := _text(values, "seg_value"):
        try:
            Money.parse(worth, currency)
        except ValueError:
            errors["seg_value"] = f"An amount in {currency}, like 50.00."
        else:  # the rule keeps major units; the SQL compares them with the scores' minor units
            conditions.append(("seg_value", {"field": "expected_value", "op": "gte", "value": worth.replace(",", "")}))
    for block, condition in conditions:  # the domain's rules, each beside its own input
        try:
            parse_rule(condition)
        except ValidationFailed as exc:
            errors[block] = exc.message
    rule = {"all": [cond for _, cond in conditions]} if conditions else copy.deepcopy(EVERYONE)
    return Segment(rule, tuple(_chosen(values, "channels"))), errors


def _send_at(text: str) -> str | None:
    """``2026-12-01 10:00`` means UTC; an offset is kept; anything unreadable goes to the domain as typed."""
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return text
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()


@dataclass(frozen=True)
class Draft:
    fields: dict[str, Any]
    segment: Segment
    submit_now: bool

    @property
    def name(self) -> str:
        return str(self.fields["name"])

    def command(self, actor: Actor) -> c.CreateCampaign:
        return c.CreateCampaign(**self.fields, actor=actor)


def read_draft(values: Values, currency: str) -> tuple[Draft, dict[str, str]]:
    """The campaign as entered, and the problems found while reading it (by block id)."""
    segment, errors = read_segment(values, currency)
    shared: dict[str, object] = {
        "image_url": _text(values, "image_url") or None,
        "skus": words(_text(values, "skus")),
        "coupon": _text(values, "coupon") or None,
    }
    contents: dict[str, dict[str, object]] = {"en": {"text": _text(values, "text_en"), **shared}}
    if zh := _text(values, "text_zh"):
        contents["zh"] = {"text": zh, **shared}
    schedule = _text(values, "schedule") or "now"
    quiet = (_text(values, "quiet_hours") or DEFAULT_QUIET).split("-")
    if len(quiet) != 2:
        errors["quiet_hours"] = "Quiet hours look like 21:00-09:00."
        quiet = DEFAULT_QUIET.split("-")
    caps: dict[str, int] = {}
    for block, default in (("cap_messages", 2), ("cap_days", 7)):
        try:
            caps[block] = int(_text(values, block) or default)
        except ValueError:
            errors[block] = "A whole number, like 2."
            caps[block] = default
    fields: dict[str, Any] = {
        "name": _text(values, "name"),
        "contents": contents,
        "channels": segment.channels,
        "segment": segment.rule,
        "schedule": schedule,
        "send_at": _send_at(_text(values, "send_at")) if schedule == "at" else None,
        "cron": (_text(values, "cron") or None) if schedule == "cron" else None,
        "quiet_hours": (quiet[0].strip(), quiet[1].strip()),
        "cap_messages": caps["cap_messages"],
        "cap_days": caps["cap_days"],
        "single_use_coupons": "single" in _chosen(values, "coupon_single_use"),
    }
    return Draft(fields, segment, "submit" in _chosen(values, "submit_now")), errors


def problem_block(key: str) -> str:
    """The input that a ``draft_problems`` key concerns."""
    if key.startswith("contents."):
        locale, _, field = key.removeprefix("contents.").partition(".")
        if field == "text":
            return "text_zh" if locale == "zh" else "text_en"
        return _CONTENT_BLOCKS.get(field, "text_en")
    return _PROBLEM_BLOCKS.get(key, "name")
