"""Webhook subscriptions, their deliveries (with attempts), and automation rules with their dry runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from admin_api.rest.schemas.common import Cursor, Limit, Strict
from domain.views.integrations import AutomationRuleView
from domain.views.webhooks import WebhookAttemptView, WebhookDeliveryView, WebhookSubscriptionView


class WebhookSubscriptionOut(BaseModel):
    id: int
    url: str
    event_types: list[str] = Field(description="event names such as `OrderPaid`, or `*` for every event")
    description: str
    active: bool
    rotating_until: datetime | None = Field(description="the previous secret still signs, beside the new, until")
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime
    pending: int = Field(description="deliveries waiting to be sent")
    dead: int = Field(description="deliveries that used up their attempts")


class WebhookSubscriptionList(BaseModel):
    items: list[WebhookSubscriptionOut]


class WebhookSubscriptionIn(Strict):
    url: str = Field(min_length=1, max_length=2000, description="https URL the deliveries are POSTed to")
    event_types: list[str] = Field(min_length=1, max_length=100, description='event names, or `["*"]`')
    description: str = Field(default="", max_length=200)


class WebhookSecretOut(BaseModel):
    """The signing secret is shown here once; only its subscription's deliveries carry its signatures after."""

    subscription: WebhookSubscriptionOut
    secret: str = Field(description="Standard Webhooks secret (`whsec_…`); shown once, store it now")


class RotateSecretIn(Strict):
    grace_seconds: int = Field(
        default=24 * 3600, ge=0, le=7 * 24 * 3600, description="how long the old secret still signs beside the new"
    )


class WebhookAttemptOut(BaseModel):
    attempt: int
    started_at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None


class WebhookDeliveryOut(BaseModel):
    id: int
    subscription_id: int
    event_id: str
    event_type: str
    message_id: str = Field(description="the `webhook-id` header; the same on every attempt and redelivery")
    status: str = Field(description="pending, succeeded or dead")
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None
    attempt_log: list[WebhookAttemptOut]


class DeliveryListQuery(Strict):
    limit: Limit = 50
    cursor: Cursor = None
    status: Literal["pending", "succeeded", "dead"] | None = None


class WebhookDeliveryPage(BaseModel):
    items: list[WebhookDeliveryOut]
    next_cursor: str | None


def subscription_out(v: WebhookSubscriptionView) -> WebhookSubscriptionOut:
    return WebhookSubscriptionOut(
        id=v.id,
        url=v.url,
        event_types=list(v.event_types),
        description=v.description,
        active=v.active,
        rotating_until=v.rotating_until,
        failing_since=v.failing_since,
        disabled_at=v.disabled_at,
        disabled_reason=v.disabled_reason,
        created_at=v.created_at,
        pending=v.pending,
        dead=v.dead,
    )


def delivery_out(d: WebhookDeliveryView, attempts: list[WebhookAttemptView]) -> WebhookDeliveryOut:
    return WebhookDeliveryOut(
        id=d.id,
        subscription_id=d.subscription_id,
        event_id=d.event_id,
        event_type=d.event_type,
        message_id=d.message_id,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        created_at=d.created_at,
        finished_at=d.finished_at,
        attempt_log=[
            WebhookAttemptOut(
                attempt=a.attempt,
                started_at=a.started_at,
                status_code=a.status_code,
                latency_ms=a.latency_ms,
                error=a.error,
            )
            for a in attempts
        ],
    )


class AutomationRuleOut(BaseModel):
    name: str
    when: str = Field(description="the event that triggers the rule")
    conditions: list[dict[str, Any]] = Field(description="`if`: each a one-key mapping, e.g. `{total_over: 100}`")
    actions: list[dict[str, Any]] = Field(description="`then`: each a one-key mapping, e.g. `{tag_customer: vip}`")
    enabled: bool
    source: str = Field(description="the rule as it was written (YAML or JSON)")
    created_by: str
    updated_at: datetime
    runs: int
    matched: int


class AutomationRuleList(BaseModel):
    items: list[AutomationRuleOut]


class AutomationRuleIn(Strict):
    """Exactly one of `yaml` (the rule as YAML text, as `chatshop automation add` reads) or `rule` (as JSON)."""

    yaml: str | None = Field(default=None, min_length=1, max_length=20_000)
    rule: dict[str, Any] | None = Field(default=None, description="name, when, if, then")

    @model_validator(mode="after")
    def one_of(self) -> AutomationRuleIn:
        if (self.yaml is None) == (self.rule is None):
            raise ValueError("send exactly one of `yaml` or `rule`")
        return self


class DryRunQuery(Strict):
    last: int = Field(default=10, ge=1, le=100, description="how many of the latest trigger events to replay")


class DryRunLineOut(BaseModel):
    event_id: str
    occurred_at: datetime
    would_act: bool
    reasons: list[str] = Field(description="one line per condition: why it held or not")
    actions: list[str] = Field(description="what the rule would have done, in words")


class DryRunOut(BaseModel):
    rule: str
    events: list[DryRunLineOut]
    would_act: int = Field(description="how many of the replayed events the rule would have acted on")


def _pairs(pairs: tuple[tuple[str, Any], ...]) -> list[dict[str, Any]]:
    return [{key: list(value) if isinstance(value, tuple) else value} for key, value in pairs]


def rule_out(r: AutomationRuleView) -> AutomationRuleOut:
    return AutomationRuleOut(
        name=r.name,
        when=r.when,
        conditions=_pairs(r.conditions),
        actions=_pairs(r.actions),
        enabled=r.enabled,
        source=r.source,
        created_by=r.created_by,
        updated_at=r.updated_at,
        runs=r.runs,
        matched=r.matched,
    )
