"""A campaign in words, for whoever decides on it: who it reaches (the segment rule as a sentence) and what
happens after approval (when the first message goes out, how long sending takes at the channel's rate).

Shared by ``chatshop campaign approve`` and the Slack approval notice, so both say the same thing.
"""

from __future__ import annotations

from datetime import datetime

from domain.model.campaigns import AllOf, Campaign, Condition, Field, NotRule, Rule, ScheduleKind
from domain.model.money import Money

_LISTS = {
    Field.CHANNEL: "reachable on",
    Field.LOCALE: "language",
    Field.COUNTRY: "country",
    Field.BOUGHT_CATEGORY: "bought in category",
    Field.BOUGHT_PRODUCT: "bought",
}
_COMPARE = {"gte": "at least", "lte": "at most", "eq": "exactly", "gt": "more than", "lt": "less than"}


def _words(items: tuple[str, ...] | list[str], joiner: str = "or") -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {joiner} {items[-1]}"


def _condition(cond: Condition, currency: str) -> str:
    f, op, v = cond.field, cond.op, cond.value
    if f == Field.CONSENT:
        return "opted in to marketing" if v else "not opted in to marketing"
    if f in _LISTS:
        said = f"{_LISTS[f]} {_words(v)}"
        return f"not {said}" if op == "not_in" else said
    if f == Field.TAG:
        how = {"any": ("tagged", "or"), "all": ("tagged", "and"), "none": ("not tagged", "or")}[op]
        return f"{how[0]} {_words(v, how[1])}"
    if f in (Field.FIRST_ORDER, Field.LAST_ORDER):
        which = "first" if f == Field.FIRST_ORDER else "last"
        return f"{which} paid order {op} {v}"
    if f == Field.ORDER_COUNT:
        return f"{_COMPARE[op]} {v} paid order{'s' if v != 1 else ''}"
    if f == Field.LIFETIME_VALUE:
        return f"spent {_COMPARE[op]} {Money(v, currency).format()} (paid minus refunded)"
    if f == Field.CART_ABANDONED_HOURS:
        return f"a cart untouched for more than {v} hours"
    if f == Field.INACTIVE_DAYS:
        return f"no order for {v} days or more"
    if f == Field.CHURN_RISK:
        return f"churn risk {_COMPARE[op]} {round(v * 100)}%"
    if f == Field.EXPECTED_VALUE:
        return f"expected to spend {_COMPARE[op]} {v} {currency} in the next year"
    return f"{f.value} {op} {v}"


def rule_in_words(rule: Rule, currency: str, _nested: bool = False) -> str:
    """``{"all": [country in DE, AT; not tagged vip]}`` -> "country DE or AT, and not tagged vip"."""
    if isinstance(rule, Condition):
        return _condition(rule, currency)
    if isinstance(rule, NotRule):
        return f"not ({rule_in_words(rule.rule, currency, True)})"
    parts = [rule_in_words(r, currency, True) for r in rule.rules]
    if len(parts) == 1:
        return parts[0]
    joiner = "and" if isinstance(rule, AllOf) else "or"
    if _nested:
        return f"({_words(parts, joiner)})"
    # At the top, a comma before the last part: "country US or DE, and not (tagged vip)" reads unambiguously.
    said = f"{', '.join(parts[:-1])}, {joiner} {parts[-1]}"
    return said if isinstance(rule, AllOf) else f"either {said}"


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return f"about {max(1, round(seconds))} s"
    if seconds < 5400:
        return f"about {round(seconds / 60)} min"
    return f"about {seconds / 3600:.1f} h"


def what_happens_next(campaign: Campaign, reachable: int, rate: float, now: datetime) -> str:
    """After approval: when the first message goes out, and how long sending takes at the channel's rate."""
    if campaign.trigger is not None:
        first = "each message goes out when its trigger fires (checked every 5 minutes)"
    elif campaign.schedule == ScheduleKind.NOW or (campaign.next_run_at is not None and campaign.next_run_at <= now):
        first = "the first message goes out within a few seconds (the running server sends it)"
    else:
        at = campaign.next_run_at.isoformat(timespec="minutes") if campaign.next_run_at else "its time"
        first = f"the first message goes out at {at}"
    if campaign.trigger is not None or not reachable:
        return first + "."
    paced = "telegram" in campaign.channels
    # The sender keeps 3% under the bot's limit (Telegram counts arrivals in a sliding second).
    duration = reachable / (rate * 0.97) if paced else reachable / 200.0
    how = f"{rate:g} messages/s on Telegram" if paced else "the web chat and e-mail pace"
    return f"{first}; {reachable} reachable recipients at {how}: {_minutes(duration)} to send.{quiet_note(campaign)}"


def quiet_note(campaign: Campaign) -> str:
    """What quiet hours do to the send ("" when there are none), with a leading space."""
    if campaign.quiet.start == campaign.quiet.end:
        return ""
    hours = f"({campaign.quiet.start:%H:%M}-{campaign.quiet.end:%H:%M} their time)"
    if campaign.quiet_policy == "skip":
        return f" People in their quiet hours {hours} don't get it (quiet policy: skip)."
    return f" People in their quiet hours {hours} get it when those end."
