"""The campaign: content per locale, channels, a segment, a schedule, an approval (four eyes) and its life
cycle; automations (``trigger``) are campaigns too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.errors import IllegalTransition, PermissionDenied, ValidationFailed
from domain.model.campaigns.scheduling import FrequencyCap, QuietHours, ScheduleKind, next_cron
from domain.model.campaigns.segments import CAMPAIGN_CHANNELS, Rule, parse_rule
from domain.model.staff import Actor, ActorKind, Permission, Role

MAX_SKUS = 3
MAX_CAP_MESSAGES, MAX_CAP_DAYS, MAX_CRON = 1000, 365, 120  # what the campaign row holds


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
        skus = data.get("skus") or ()
        if isinstance(skus, str) or not isinstance(skus, list | tuple):
            raise ValidationFailed("skus is a list of SKUs, e.g. [SHOE-RED-42].")
        image_url = data.get("image_url") or None
        if image_url is not None and not isinstance(image_url, str):
            raise ValidationFailed("The image must be an http(s) URL.")
        return cls(
            text=str(data.get("text") or ""),
            image_url=image_url,
            skus=tuple(str(s) for s in skus),
            coupon=(str(data["coupon"]).upper() if data.get("coupon") else None),
        )


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
    """System actors (CLI on the server, jobs) may; staff need ``role`` or above; shoppers never. An API key
    looks with any read scope and writes with ``campaigns:write`` (an operator's work); what takes an
    approver takes a named staff member."""
    if actor.kind == ActorKind.SYSTEM:
        return
    if actor.kind == ActorKind.API_KEY:
        if role > Role.OPERATOR:
            raise PermissionDenied(f"An API key may not {doing}; it takes a named staff member.")
        actor.require(Permission.VIEW if role == Role.VIEWER else Permission.MANAGE_CAMPAIGNS)
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
        if self.cap.messages > MAX_CAP_MESSAGES or self.cap.days > MAX_CAP_DAYS:
            raise ValidationFailed(
                f"A frequency cap allows at most {MAX_CAP_MESSAGES} messages within at most {MAX_CAP_DAYS} days."
            )
        if self.cron is not None and len(self.cron) > MAX_CRON:
            raise ValidationFailed(f"A cron expression is at most {MAX_CRON} characters.")
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
        if self.status != S.PAUSED:  # a finished campaign may only send again through resend_unknown
            raise IllegalTransition(
                self.name,
                self.status.value,
                S.SENDING.value,
                f"Campaign {self.name} is {self.status.value}; only a paused campaign resumes.",
            )
        self._move(S.SENDING if self.run > 0 else S.APPROVED)
        self.pause_reason = None

    def cancel(self, actor: Actor) -> None:
        require_role(actor, Role.OPERATOR, "cancel campaigns")
        self._move(S.CANCELLED)
        self.next_run_at = None
