"""One message of a campaign to one person: its states, who receives it, what a channel answered, and the
campaign's report (counts of those)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
