"""Webhook subscriptions in SQL (Core): the model is rebuilt from rows and written back whole."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.adapters import orm
from domain.adapters.dialect_insert import dialect_insert
from domain.adapters.orm_webhooks import webhook_deliveries, webhook_subscriptions
from domain.adapters.webhooks_wire import message_id, to_json
from domain.model.webhooks import WebhookSubscription

_FIELDS = (
    "url",
    "description",
    "active",
    "secret",
    "previous_secret",
    "previous_secret_until",
    "failing_since",
    "disabled_at",
    "disabled_reason",
)


def subscription_from_row(row: Any) -> WebhookSubscription:
    return WebhookSubscription(
        id=row.id,
        url=row.url,
        event_types=tuple(row.event_types),
        secret=row.secret,
        created_at=row.created_at,
        description=row.description,
        active=row.active,
        previous_secret=row.previous_secret,
        previous_secret_until=row.previous_secret_until,
        failing_since=row.failing_since,
        disabled_at=row.disabled_at,
        disabled_reason=row.disabled_reason,
    )


def _values(sub: WebhookSubscription) -> dict[str, Any]:
    values = {name: getattr(sub, name) for name in _FIELDS}
    values["event_types"] = list(sub.event_types)
    return values


class SqlWebhookRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, subscription_id: int, lock: bool = False) -> WebhookSubscription | None:
        stmt = select(webhook_subscriptions).where(webhook_subscriptions.c.id == subscription_id)
        if lock:
            stmt = stmt.with_for_update()
        row = (await self.session.execute(stmt)).first()
        return None if row is None else subscription_from_row(row)

    async def add(self, subscription: WebhookSubscription, now: datetime) -> int:
        stmt = insert(webhook_subscriptions).values(**_values(subscription), created_at=now, updated_at=now)
        result = await self.session.execute(stmt.returning(webhook_subscriptions.c.id))
        subscription.id = int(result.scalar_one())
        return subscription.id

    async def save(self, subscription: WebhookSubscription, now: datetime) -> None:
        t = webhook_subscriptions
        await self.session.execute(
            update(t).where(t.c.id == subscription.id).values(**_values(subscription), updated_at=now)
        )

    async def orders_for_tracking(self, tracking_number: str, carrier: str = "") -> list[int]:
        """Orders shipped under this tracking number (and this carrier, when named), newest first."""
        o = orm.orders.c
        stmt = select(o.id).where(o.tracking_number == tracking_number).order_by(o.id.desc()).limit(5)
        if carrier:
            stmt = stmt.where(func.lower(o.carrier) == carrier.lower())
        return [int(i) for i in (await self.session.execute(stmt)).scalars()]

    async def enqueue(
        self, subscription_id: int, event_id: str, event_type: str, body: dict[str, Any], now: datetime
    ) -> bool:
        """One delivery of ``body`` to a subscription (an automation's ``call_webhook``); False when there is no
        such subscription or it already has a delivery of this event."""
        if await self.get(subscription_id) is None:
            return False
        values = {
            "subscription_id": subscription_id,
            "event_id": event_id,
            "event_type": event_type,
            "message_id": message_id(event_id, subscription_id),
            "body": to_json(body),
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        dialect = self.session.bind.dialect.name
        stmt = dialect_insert(dialect, webhook_deliveries).values(values)
        result = await self.session.execute(stmt.on_conflict_do_nothing(index_elements=["event_id", "subscription_id"]))
        return bool(getattr(result, "rowcount", 0))

    async def requeue(self, delivery_id: int, now: datetime) -> bool:
        t = webhook_deliveries.c
        result = await self.session.execute(
            update(webhook_deliveries)
            .where(t.id == delivery_id)
            .values(
                status="pending",
                attempts=0,
                next_attempt_at=now,
                claimed_by=None,
                claimed_until=None,
                finished_at=None,
            )
        )
        return bool(getattr(result, "rowcount", 0))
