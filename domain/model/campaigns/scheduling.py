"""When a campaign sends: now, at a time, or on a cron schedule; the quiet hours and the frequency cap
that protect the people receiving it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import ValidationFailed


class ScheduleKind(StrEnum):
    NOW = "now"
    AT = "at"
    CRON = "cron"


@dataclass(frozen=True)
class QuietHours:
    """Local times in each customer's time zone during which marketing waits (start > end wraps midnight)."""

    start: time = time(21, 0)
    end: time = time(9, 0)

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, now: datetime, timezone: str) -> datetime | None:
        """None when ``now`` is outside quiet hours there; else the UTC moment they end."""
        tz = zone(timezone)
        local = now.astimezone(tz)
        if not self.contains(local.timetz().replace(tzinfo=None)):
            return None
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        return end.astimezone(now.tzinfo)


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class FrequencyCap:
    """At most ``messages`` marketing messages per customer within ``days``."""

    messages: int = 2
    days: int = 7


def parse_hhmm(value: str) -> time:
    try:
        hour, minute = (int(p) for p in value.split(":", 1))
        return time(hour, minute)
    except ValueError:
        raise ValidationFailed(f"{value!r} is not a time like 21:00.") from None


def next_cron(expression: str, after: datetime) -> datetime:
    """The next firing of a 5-field cron expression (UTC), via croniter."""
    from croniter import croniter  # a well-kept parser; imported here so the model stays cheap to import

    if not croniter.is_valid(expression):
        raise ValidationFailed(f"{expression!r} is not a cron expression like '0 10 * * MON'.")
    result: datetime = croniter(expression, after).get_next(datetime)
    return result
