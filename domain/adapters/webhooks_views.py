"""Read queries for webhooks: subscriptions (never their secrets), deliveries newest first, attempt logs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters.orm_webhooks import webhook_attempts, webhook_deliveries, webhook_subscriptions
from domain.views.webhooks import WebhookAttemptView, WebhookDeliveryView, WebhookSubscriptionView


def _delivery(r: Any) -> WebhookDeliveryView:
    return WebhookDeliveryView(
        id=r.id,
        subscription_id=r.subscription_id,
        event_id=r.event_id,
        event_type=r.event_type,
        message_id=r.message_id,
        status=r.status,
        attempts=r.attempts,
        next_attempt_at=r.next_attempt_at if r.status == "pending" else None,
        last_status_code=r.last_status_code,
        last_error=r.last_error,
        created_at=r.created_at,
        finished_at=r.finished_at,
    )


class SqlWebhookViews:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def subscriptions(self) -> list[WebhookSubscriptionView]:
        s, d = webhook_subscriptions.c, webhook_deliveries.c
        counts = (
            select(
                d.subscription_id,
                func.sum(case((d.status == "pending", 1), else_=0)).label("pending"),
                func.sum(case((d.status == "dead", 1), else_=0)).label("dead"),
            )
            .group_by(d.subscription_id)
            .subquery()
        )
        stmt = (
            select(webhook_subscriptions, counts.c.pending, counts.c.dead)
            .outerjoin(counts, counts.c.subscription_id == s.id)
            .order_by(s.id)
        )
        async with self.sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [
            WebhookSubscriptionView(
                id=r.id,
                url=r.url,
                event_types=tuple(r.event_types),
                description=r.description,
                active=r.active,
                rotating_until=r.previous_secret_until if r.previous_secret else None,
                failing_since=r.failing_since,
                disabled_at=r.disabled_at,
                disabled_reason=r.disabled_reason,
                created_at=r.created_at,
                pending=int(r.pending or 0),
                dead=int(r.dead or 0),
            )
            for r in rows
        ]

    async def deliveries(
        self,
        subscription_id: int | None = None,
        status: str | None = None,
        limit: int = 50,
        before_id: int | None = None,
    ) -> list[WebhookDeliveryView]:
        """Newest first; ``before_id`` continues a page (ids only grow, so new deliveries never shift it)."""
        d = webhook_deliveries.c
        stmt = select(webhook_deliveries).order_by(d.id.desc()).limit(limit)
        if before_id is not None:
            stmt = stmt.where(d.id < before_id)
        if subscription_id is not None:
            stmt = stmt.where(d.subscription_id == subscription_id)
        if status is not None:
            stmt = stmt.where(d.status == status)
        async with self.sessions() as session:
            return [_delivery(r) for r in (await session.execute(stmt)).all()]

    async def attempts(self, delivery_id: int) -> list[WebhookAttemptView]:
        a = webhook_attempts.c
        stmt = select(webhook_attempts).where(a.delivery_id == delivery_id).order_by(a.attempt, a.id)
        async with self.sessions() as session:
            rows = (await session.execute(stmt)).all()
        return [
            WebhookAttemptView(r.delivery_id, r.attempt, r.started_at, r.status_code, r.latency_ms, r.error)
            for r in rows
        ]

    async def attempts_of(self, delivery_ids: list[int]) -> dict[int, list[WebhookAttemptView]]:
        """The attempt logs of several deliveries in one query (a page of deliveries with their attempts)."""
        a = webhook_attempts.c
        found: dict[int, list[WebhookAttemptView]] = {i: [] for i in delivery_ids}
        if not delivery_ids:
            return found
        stmt = select(webhook_attempts).where(a.delivery_id.in_(delivery_ids)).order_by(a.delivery_id, a.attempt, a.id)
        async with self.sessions() as session:
            for r in (await session.execute(stmt)).all():
                found[r.delivery_id].append(
                    WebhookAttemptView(r.delivery_id, r.attempt, r.started_at, r.status_code, r.latency_ms, r.error)
                )
        return found
