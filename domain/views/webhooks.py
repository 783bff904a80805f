"""What staff (and the REST API) see of webhooks: subscriptions without their secrets, deliveries, attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WebhookSubscriptionView:
    id: int
    url: str
    event_types: tuple[str, ...]
    description: str
    active: bool
    rotating_until: datetime | None  # the previous secret still signs until then
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime
    pending: int
    dead: int


@dataclass(frozen=True)
class WebhookDeliveryView:
    id: int
    subscription_id: int
    event_id: str
    event_type: str
    message_id: str
    status: str  # pending, succeeded, dead
    attempts: int
    next_attempt_at: datetime | None  # while pending
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class WebhookAttemptView:
    delivery_id: int
    attempt: int
    started_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None
