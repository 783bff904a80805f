"""The read-side port for integrations (webhooks and automation rules), as the admin API reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.views.webhooks import WebhookAttemptView, WebhookDeliveryView, WebhookSubscriptionView


@dataclass(frozen=True)
class AutomationRuleView:
    name: str
    when: str
    conditions: tuple[tuple[str, Any], ...]
    actions: tuple[tuple[str, Any], ...]
    enabled: bool
    source: str  # the YAML (or JSON) as written
    created_by: str
    updated_at: datetime
    runs: int
    matched: int


class WebhookViews(Protocol):
    async def subscriptions(self) -> list[WebhookSubscriptionView]: ...

    async def deliveries(
        self,
        subscription_id: int | None = None,
        status: str | None = None,
        limit: int = 50,
        before_id: int | None = None,
    ) -> list[WebhookDeliveryView]: ...

    async def attempts_of(self, delivery_ids: list[int]) -> dict[int, list[WebhookAttemptView]]: ...


class AutomationViews(Protocol):
    async def rules(self) -> list[AutomationRuleView]: ...
