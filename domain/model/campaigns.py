"""Broadcast campaigns: segments over CRM data, content per locale, a schedule, an approval, and the rules
that protect the people receiving them (consent, quiet hours, a frequency cap).

Plain Python: the SQL that evaluates a segment lives in ``domain/adapters/campaigns_segments.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import IllegalTransition, PermissionDenied, ValidationFailed
from domain.model.staff import Actor, ActorKind, Role

CAMPAIGN_CHANNELS = ("telegram", "webchat", "email")
MAX_SKUS = 3
MAX_RULE_DEPTH = 6
MAX_RULE_NODES = 50


# --- segments --------------------------------------------------------------------------------------
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
    else:
        try:
            value = datetime.fromisoformat(str(raw)).date().isoformat()
        except ValueError:
            raise ValidationFailed(f"Field {fld.value} needs a date like 2026-01-31.") from None
    return Condition(fld, str(op), value)


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


# --- content and schedule --------------------------------------------------------------------------
@dataclass(frozen=True)
class Content:
    text: str
    image_url: str | None = None
    skus: tuple[str, ...] = ()
    coupon: str | None = None

    def __post_init__(self) -> None:
        if not self.text.strip() or len(self.text) > 3500:
            raise ValidationFailed("A campaign message needs text of at most 3,500 characters.")
        if len(self.skus) > MAX_SKUS:
            raise ValidationFailed(f"A campaign message features at most {MAX_SKUS} products.")
        if self.image_url is not None and not self.image_url.startswith(("https://", "http://")):
            raise ValidationFailed("The image must be an http(s) URL.")

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "image_url": self.image_url, "skus": list(self.skus), "coupon": self.coupon}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Content:
        if not isinstance(data, dict):
            raise ValidationFailed("Each locale's content must be an object with text (and image_url, skus, coupon).")
        return cls(
            text=str(data.get("text") or ""),
            image_url=data.get("image_url") or None,
            skus=tuple(str(s) for s in data.get("skus") or ()),
            coupon=(str(data["coupon"]).upper() if data.get("coupon") else None),
        )


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


# --- the campaign ----------------------------------------------------------------------------------
class CampaignStatus(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"  # approved, waiting for its time ("scheduled")
    SENDING = "sending"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    FINISHED = "finished"


S = CampaignStatus
_MOVES: dict[CampaignStatus, set[CampaignStatus]] = {
    S.DRAFT: {S.AWAITING_APPROVAL, S.CANCELLED},
    S.AWAITING_APPROVAL: {S.APPROVED, S.DRAFT, S.CANCELLED},
    S.APPROVED: {S.SENDING, S.PAUSED, S.CANCELLED},
    S.SENDING: {S.PAUSED, S.CANCELLED, S.FINISHED, S.APPROVED},  # back to approved: a cron run ended
    S.PAUSED: {S.SENDING, S.APPROVED, S.CANCELLED},
    S.CANCELLED: set(),
    S.FINISHED: {S.SENDING},  # only to resend to recipients whose outcome is unknown (resend_unknown)
}


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # recorded before the external call
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    SKIPPED_OPTOUT = "skipped_optout"
    SKIPPED_CAP = "skipped_cap"
    SKIPPED_QUIET = "skipped_quiet"
    SKIPPED_STALE = "skipped_stale"  # the occasion is over: an abandoned cart was emptied, ordered or touched again
    UNKNOWN = "unknown"  # the process died during the call: maybe delivered, never resent blindly


FINAL_DELIVERY_STATES = frozenset(DeliveryState) - {DeliveryState.QUEUED, DeliveryState.SENDING}


class Trigger(StrEnum):
    """Automations: a campaign template that domain events (or their absence) send, person by person."""

    ABANDONED_CART = "abandoned_cart"  # a non-empty cart untouched for ``trigger_hours``; run = cart timestamp
    BACK_IN_STOCK = "back_in_stock"  # a SKU a shopper asked about is available again; run = subscription id
    WIN_BACK = "win_back"  # no paid order for ``trigger_hours`` (N days); run = id of the last paid order


def validate_trigger(trigger: str, hours: int) -> None:
    try:
        kind = Trigger(trigger)
    except ValueError:
        raise ValidationFailed(f"Automations are triggered by {', '.join(t.value for t in Trigger)}.") from None
    if kind == Trigger.ABANDONED_CART and not 1 <= hours <= 24 * 7:
        raise ValidationFailed("An abandoned-cart reminder waits 1 to 168 hours.")
    if kind == Trigger.WIN_BACK and not (24 <= hours <= 24 * 3650 and hours % 24 == 0):
        raise ValidationFailed("A win-back waits a whole number of days, 1 to 3650.")


def require_role(actor: Actor, role: Role, doing: str) -> None:
    """System actors (CLI on the server, jobs) may; staff need ``role`` or above; shoppers never."""
    if actor.kind == ActorKind.SYSTEM:
        return
    if actor.kind != ActorKind.STAFF or actor.role is None or actor.role < role:
        who = actor.role.name.lower() if actor.role is not None else actor.kind.value
        raise PermissionDenied(f"A {who} may not {doing}; it takes an {role.name.lower()} or above.")


@dataclass
class Campaign:
    name: str
    contents: dict[str, Content]  # locale -> content; the first locale is the fallback
    channels: tuple[str, ...]
    segment: dict[str, Any]
    created_by: str
    created_at: datetime
    schedule: ScheduleKind = ScheduleKind.NOW
    send_at: datetime | None = None
    cron: str | None = None
    quiet: QuietHours = field(default_factory=QuietHours)
    quiet_policy: str = "defer"  # defer: wait for the morning; skip: don't send at all
    cap: FrequencyCap = field(default_factory=FrequencyCap)
    attribution_days: int = 7
    trigger: str | None = None  # automations: "abandoned_cart", "back_in_stock", "win_back" (see Trigger)
    trigger_hours: int = 0  # abandoned_cart: cart untouched for; win_back: no paid order for (days x 24)
    # The content's coupon is a template: each recipient gets a personal single-use code with its terms.
    single_use_coupons: bool = False
    status: CampaignStatus = CampaignStatus.DRAFT
    approved_by: str | None = None
    submitted_by: str | None = None  # who asked for approval: someone else must approve
    next_run_at: datetime | None = None
    run: int = 0  # how many times it fired (cron campaigns fire repeatedly)
    pause_reason: str | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if not self.name or len(self.name) > 80 or not all(ch.isalnum() or ch in "-_." for ch in self.name):
            raise ValidationFailed("A campaign name is 1-80 letters, digits, '-', '_' or '.'.")
        if not self.contents:
            raise ValidationFailed("A campaign needs content for at least one locale.")
        if not self.channels or not set(self.channels) <= set(CAMPAIGN_CHANNELS):
            raise ValidationFailed(f"Pick channels among {', '.join(CAMPAIGN_CHANNELS)}.")
        parse_rule(self.segment)
        if self.schedule == ScheduleKind.AT and self.send_at is None:
            raise ValidationFailed("A campaign scheduled 'at' needs a time (send_at).")
        if self.schedule == ScheduleKind.CRON and not self.cron:
            raise ValidationFailed("A cron campaign needs a cron expression.")
        if self.quiet_policy not in ("defer", "skip"):
            raise ValidationFailed("quiet_policy is defer or skip.")
        if self.cap.messages < 1 or self.cap.days < 1 or not 0 <= self.attribution_days <= 90:
            raise ValidationFailed("The frequency cap and the attribution window must be positive.")
        if self.trigger is not None:
            validate_trigger(self.trigger, self.trigger_hours)
        if self.single_use_coupons:
            codes = {content.coupon for content in self.contents.values()}
            if len(codes) != 1 or None in codes:
                raise ValidationFailed(
                    "Single-use coupons need one template coupon, named as the coupon of every language's content."
                )

    @property
    def coupon_template(self) -> str | None:
        """The template coupon of a campaign with single-use coupons (None for a shared code or none)."""
        return next(iter(self.contents.values())).coupon if self.single_use_coupons else None

    def coupon_for(self, locale: str, personal: str | None) -> str | None:
        """The code a recipient sees: their personal code, or the shared one; never a template itself."""
        return personal if self.single_use_coupons else self.content_for(locale).coupon

    @property
    def rule(self) -> Rule:
        return parse_rule(self.segment)

    def content_for(self, locale: str) -> Content:
        if locale in self.contents:
            return self.contents[locale]
        base = locale.split("-")[0].split("_")[0]
        for key, content in self.contents.items():
            if key.split("-")[0].split("_")[0] == base:
                return content
        return next(iter(self.contents.values()))

    @property
    def skus(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for c in self.contents.values() for s in c.skus))

    @property
    def trigger_summary(self) -> str | None:
        """How the automation is triggered, as campaign.yml says it (None for a broadcast)."""
        if self.trigger == Trigger.ABANDONED_CART:
            return f"abandoned_cart: {self.trigger_hours} hours"
        if self.trigger == Trigger.WIN_BACK:
            return f"win_back: {self.trigger_hours // 24} days"
        return self.trigger

    def switch_on(self) -> bool:
        """An approved automation sends for as long as it is on (until paused or cancelled)."""
        if self.trigger is None or self.status != S.APPROVED:
            return False
        self._move(S.SENDING)
        return True

    def _move(self, to: CampaignStatus) -> None:
        if to not in _MOVES[self.status]:
            raise IllegalTransition(
                self.name,
                self.status.value,
                to.value,
                f"Campaign {self.name} is {self.status.value}; it can't become {to.value}.",
            )
        self.status = to

    def edit(self, actor: Actor) -> None:
        require_role(actor, Role.OPERATOR, "edit campaigns")
        if self.status not in (S.DRAFT, S.AWAITING_APPROVAL):
            raise IllegalTransition(
                self.name,
                self.status.value,
                "draft",
                f"Campaign {self.name} is {self.status.value}; only drafts can change.",
            )
        self.status = S.DRAFT  # an edited campaign needs approving again
        self.approved_by = None
        self.submitted_by = None

    def submit(self, actor: Actor) -> None:
        require_role(actor, Role.OPERATOR, "submit campaigns")
        self._move(S.AWAITING_APPROVAL)
        self.submitted_by = actor.name

    def approve(self, actor: Actor, now: datetime) -> None:
        """Four eyes: a named approver (staff, not the system) who neither wrote nor submitted it, and only
        once it was submitted."""
        if actor.kind != ActorKind.STAFF:
            raise PermissionDenied("A campaign is approved by a named staff member with the approver role.")
        require_role(actor, Role.APPROVER, "approve campaigns")
        if self.status == S.DRAFT:
            raise IllegalTransition(
                self.name,
                self.status.value,
                S.APPROVED.value,
                f"Campaign {self.name} is a draft: submit it for approval first.",
            )
        if actor.name in {self.submitted_by, self.created_by}:
            raise PermissionDenied(
                f"{actor.name} wrote or submitted campaign {self.name}; someone else must approve it."
            )
        self._move(S.APPROVED)
        self.approved_by = actor.name
        if self.schedule == ScheduleKind.NOW:
            self.next_run_at = now
        elif self.schedule == ScheduleKind.AT:
            self.next_run_at = self.send_at
        elif self.trigger is None:
            self.next_run_at = next_cron(self.cron or "", now)

    def start_run(self, now: datetime) -> int:
        """The schedule fired: a new run begins. Returns its number."""
        if self.status != S.APPROVED:
            raise IllegalTransition(
                self.name,
                self.status.value,
                "sending",
                f"Campaign {self.name} is {self.status.value}; it can't start sending.",
            )
        self._move(S.SENDING)
        self.run += 1
        self.next_run_at = None
        return self.run

    def finish_run(self, now: datetime) -> None:
        """Every delivery of the run is final: finished, or waiting for the next cron firing."""
        if self.status != S.SENDING:
            return
        if self.schedule == ScheduleKind.CRON and self.cron:
            self._move(S.APPROVED)
            self.next_run_at = next_cron(self.cron, now)
        else:
            self._move(S.FINISHED)

    def resend_unknown(self, actor: Actor) -> None:
        """An approver decides to send again to recipients whose outcome is unknown (some may get it twice):
        the campaign sends again if it had finished; a paused one sends them when resumed."""
        if actor.kind != ActorKind.STAFF:
            raise PermissionDenied("Resending to unknown recipients is a named approver's decision.")
        require_role(actor, Role.APPROVER, "resend to recipients whose outcome is unknown")
        if self.status == S.FINISHED:
            self._move(S.SENDING)
        elif self.status not in (S.SENDING, S.PAUSED):
            raise IllegalTransition(
                self.name,
                self.status.value,
                S.SENDING.value,
                f"Campaign {self.name} is {self.status.value}; only a sending, paused or finished campaign resends.",
            )

    def pause(self, actor: Actor, reason: str) -> None:
        require_role(actor, Role.OPERATOR, "pause campaigns")
        self._move(S.PAUSED)
        self.pause_reason = reason[:200]

    def resume(self, actor: Actor) -> None:
        require_role(actor, Role.OPERATOR, "resume campaigns")
        self._move(S.SENDING if self.run > 0 else S.APPROVED)
        self.pause_reason = None

    def cancel(self, actor: Actor) -> None:
        require_role(actor, Role.OPERATOR, "cancel campaigns")
        self._move(S.CANCELLED)
        self.next_run_at = None


def next_cron(expression: str, after: datetime) -> datetime:
    """The next firing of a 5-field cron expression (UTC), via croniter."""
    from croniter import croniter  # a well-kept parser; imported here so the model stays cheap to import

    if not croniter.is_valid(expression):
        raise ValidationFailed(f"{expression!r} is not a cron expression like '0 10 * * MON'.")
    result: datetime = croniter(expression, after).get_next(datetime)
    return result


class SubscriptionStatus(StrEnum):
    PENDING = "pending"  # waiting for the SKU to come back (or for a back-in-stock campaign to be approved)
    NOTIFIED = "notified"  # a delivery was queued for it (what became of it is on the delivery row)
    SKIPPED = "skipped"  # it came back, but the shopper could not be messaged (no consent, unreachable...)


@dataclass
class StockSubscription:
    """A shopper asked to be told when a SKU is back ("Notify me"); one per customer and SKU.

    It is used once: the restock that finds it pending queues one delivery with ``run`` = its id, so a
    replayed event or a second sweep finds the delivery row already there (UNIQUE) and the subscription
    no longer pending. Asking again after a notice starts a new subscription (a new id, a new run).
    """

    customer_id: int
    variant_id: int
    sku: str
    channel: str
    created_at: datetime
    status: SubscriptionStatus = SubscriptionStatus.PENDING
    notified_at: datetime | None = None
    campaign_id: int | None = None
    id: int | None = None

    @property
    def pending(self) -> bool:
        return self.status == SubscriptionStatus.PENDING

    def mark(self, reached: bool, campaign_id: int | None, now: datetime) -> None:
        if not self.pending:
            raise IllegalTransition(
                f"stock subscription {self.id}",
                self.status.value,
                "notified",
                "This stock subscription was used already.",
            )
        self.status = SubscriptionStatus.NOTIFIED if reached else SubscriptionStatus.SKIPPED
        self.notified_at = now
        self.campaign_id = campaign_id


def back_in_stock_candidates(campaigns: list[Campaign], sku: str) -> list[Campaign]:
    """Approved back-in-stock automations that may announce ``sku``, best first: those featuring the SKU
    (a message written for that product), then general ones (featuring no product). A campaign featuring
    other products only is not about this one."""
    sku = sku.upper()
    usable = [
        c
        for c in campaigns
        if c.trigger == Trigger.BACK_IN_STOCK and c.status in (CampaignStatus.APPROVED, CampaignStatus.SENDING)
    ]
    specific = [c for c in usable if sku in {s.upper() for s in c.skus}]
    general = [c for c in usable if not c.skus]
    return specific + general


@dataclass(frozen=True)
class Recipient:
    """One reachable address of a matching customer, as the segment query finds it."""

    customer_id: int
    channel: str
    address: str  # chat id, web chat id, or e-mail address
    locale: str
    timezone: str
    coupon: str | None = None  # a personal single-use code, issued when the delivery is queued


@dataclass(frozen=True)
class CampaignReport:
    campaign_id: int
    name: str
    status: str
    recipients: int
    queued: int
    sending: int
    sent: int
    delivered: int  # sent on a channel that confirms delivery (all but e-mail, which only accepts)
    failed: int
    blocked: int
    unknown: int
    skipped: dict[str, int]
    opt_outs: int
    clicks: int
    orders: int
    revenue: int
    currency: str

    @property
    def messages(self) -> int:
        return self.sent

    @property
    def revenue_per_1000(self) -> int:
        return self.revenue * 1000 // self.sent if self.sent else 0

    @property
    def progress(self) -> float:
        done = self.recipients - self.queued - self.sending
        return done / self.recipients if self.recipients else 1.0


@dataclass(frozen=True)
class SendOutcome:
    """What a channel transport reported for one message.

    ``sent``; ``blocked`` (the person blocked us: final, and they are marked unreachable there);
    ``retry`` (refused before delivery, e.g. 429: queue again after ``retry_after`` seconds);
    ``failed`` (final; never retried, because a timeout may hide a delivered message).
    """

    kind: str
    retry_after: float = 0.0
    error: str | None = None

    @classmethod
    def sent(cls) -> SendOutcome:
        return cls("sent")

    @classmethod
    def blocked(cls, error: str = "blocked") -> SendOutcome:
        return cls("blocked", error=error)

    @classmethod
    def retry(cls, seconds: float, error: str = "rate limited") -> SendOutcome:
        return cls("retry", retry_after=seconds, error=error)

    @classmethod
    def failed(cls, error: str) -> SendOutcome:
        return cls("failed", error=error[:2000])
