"""A campaign file (campaign.yml, or the same mapping as JSON) -> ``CreateCampaign``.

The format is documented in docs/campaigns.md; unknown keys are refused with the valid ones listed (a typo
such as ``schedul`` used to fall back to a default silently). Shared by ``chatshop campaign create`` and
the admin API's campaign drafts, so both read a campaign the same way.
"""

from __future__ import annotations

import difflib
import json
from datetime import datetime
from typing import Any

from domain import commands as c
from domain.errors import ValidationFailed
from domain.model.staff import Actor

FORMAT_DOC = "docs/campaigns.md"


def trigger_from_yaml(trigger: Any) -> tuple[str | None, int]:
    """``{abandoned_cart: 4}`` (hours), ``{win_back: 60}`` (days, kept as hours), ``{back_in_stock: true}``
    (or just ``back_in_stock``) -> (trigger, trigger_hours)."""
    if not trigger:
        return None, 0
    if isinstance(trigger, str):
        trigger = {trigger: True}
    usage = "trigger is {abandoned_cart: HOURS}, {win_back: DAYS} or {back_in_stock: true}."
    if not isinstance(trigger, dict) or len(trigger) != 1:
        raise ValidationFailed(usage)
    name, value = next(iter(trigger.items()))
    if name == "back_in_stock":
        if value is not True:
            raise ValidationFailed(usage)
        return "back_in_stock", 0
    if name not in ("abandoned_cart", "win_back") or isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(usage)
    return str(name), value * 24 if name == "win_back" else value


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed(f"{name} is true or false.")
    return value


# What campaign.yml may say, level by level: anything else is refused with these listed (a typo such as
# ``schedul`` or ``quiet_hour`` used to fall back to a default silently).
TOP_KEYS = (
    "name", "channels", "content", "segment", "schedule", "quiet_hours", "quiet_policy", "frequency_cap",
    "attribution_days", "trigger", "single_use_coupons",
)  # fmt: skip
CONTENT_KEYS = ("text", "image_url", "skus", "coupon")
SCHEDULE_KEYS = ("at", "cron")
CAP_KEYS = ("messages", "days")


def _only(data: dict[Any, Any], valid: tuple[str, ...], where: str) -> None:
    unknown = [str(k) for k in data if k not in valid]
    if not unknown:
        return
    hints = [f"{k} (did you mean {m[0]}?)" if (m := difflib.get_close_matches(k, valid, 1)) else k for k in unknown]
    raise ValidationFailed(
        f"Unknown key{'s' if len(unknown) > 1 else ''} {', '.join(hints)} in {where}; "
        f"valid keys: {', '.join(sorted(valid))} (format: {FORMAT_DOC})."
    )


SEGMENT = "{field: country, op: in, value: [DE]}"


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(f"{name} is a whole number.")
    return value


def _plain(value: dict[str, Any]) -> dict[str, Any]:
    """As JSON holds it: YAML reads ``2026-01-31`` as a date, which the stored campaign keeps as text."""
    plain: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return plain


def _mapping(value: Any, where: str, example: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        raise ValidationFailed(f"{where} is a mapping, e.g. {example}.")
    return value


def _schedule(data: dict[Any, Any], now: datetime | None, send_now: bool) -> tuple[str, str | None, str | None]:
    """(kind, send_at, cron). A time already past is refused: approving would send at once, which the
    marketer did not write; ``--now`` says that is what they want."""
    usage = "schedule is now, {at: 2026-12-01T10:00:00+00:00} or {cron: '0 10 * * MON'}."
    schedule = data.get("schedule", "now")
    if schedule == "now":
        return "now", None, None
    if not isinstance(schedule, dict):
        raise ValidationFailed(usage)
    _only(schedule, SCHEDULE_KEYS, "schedule")
    if len(schedule) != 1:
        raise ValidationFailed(usage)
    if "cron" in schedule:
        return "cron", None, str(schedule["cron"])
    at = schedule["at"]
    text = at.isoformat() if isinstance(at, datetime) else str(at)
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{text!r} is not a time like 2026-12-01T10:00:00+00:00.") from None
    if when.tzinfo is not None and now is not None and when <= now:
        if send_now:
            return "now", None, None
        raise ValidationFailed(
            f"schedule.at {text} is in the past (now: {now.isoformat(timespec='minutes')}). Give a later time, "
            "write schedule: now, or pass --now to send it as soon as it is approved."
        )
    return "at", text, None


def command_from_yaml(
    data: Any, actor: Actor, replace: bool = False, now: datetime | None = None, send_now: bool = False
) -> c.CreateCampaign:
    """A CreateCampaign from campaign.yml (see docs/campaigns.md for the format); unknown keys are refused.
    With ``now``, a ``schedule: {at: ...}`` before it is refused unless ``send_now``."""
    if not isinstance(data, dict):
        raise ValidationFailed(f"campaign.yml must be a mapping of {', '.join(TOP_KEYS)} (format: {FORMAT_DOC}).")
    _only(data, TOP_KEYS, "campaign.yml")
    contents = _mapping(data.get("content") or {}, "content", "{en: {text: Hello}}")
    for locale, content in contents.items():
        _only(_mapping(content, f"content.{locale}", "{text: Hello}"), CONTENT_KEYS, f"content.{locale}")
    kind, send_at, cron = _schedule(data, now, send_now)
    quiet = str(data.get("quiet_hours", "21:00-09:00")).split("-")
    if len(quiet) != 2:
        raise ValidationFailed("quiet_hours looks like 21:00-09:00.")
    cap = _mapping(data.get("frequency_cap") or {}, "frequency_cap", "{messages: 2, days: 7}")
    _only(cap, CAP_KEYS, "frequency_cap")
    trigger_name, trigger_hours = trigger_from_yaml(data.get("trigger"))
    channels = data.get("channels") or ()
    if isinstance(channels, str) or not isinstance(channels, list | tuple):
        raise ValidationFailed("channels is a list, e.g. [telegram, email].")
    segment = _mapping(data.get("segment") or {"field": "consent", "op": "is", "value": True}, "segment", SEGMENT)
    return c.CreateCampaign(
        name=str(data.get("name", "")),
        contents={str(k): _plain(dict(v)) for k, v in contents.items()},
        channels=tuple(str(ch) for ch in channels),
        segment=_plain(segment),
        schedule=kind,
        send_at=send_at,
        cron=cron,
        quiet_hours=(quiet[0].strip(), quiet[1].strip()),
        quiet_policy=str(data.get("quiet_policy", "defer")),
        cap_messages=_whole(cap.get("messages", 2), "frequency_cap.messages"),
        cap_days=_whole(cap.get("days", 7), "frequency_cap.days"),
        attribution_days=_whole(data.get("attribution_days", 7), "attribution_days"),
        trigger=trigger_name,
        trigger_hours=trigger_hours,
        single_use_coupons=_flag(data.get("single_use_coupons", False), "single_use_coupons"),
        replace=replace,
        actor=actor,
    )
