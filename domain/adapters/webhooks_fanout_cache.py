"""The fan-out's subscriptions, kept per process and read again only when they changed.

Every event already needs one statement (when it happened, from its outbox row); that statement now also
reads a fingerprint of the subscription table — how many there are, which are active, the latest change —
and only a different fingerprint reads the subscriptions again. The fingerprint is read after the event
committed, in the event's own statement, so a subscription added, disabled or re-enabled by any process
before the event counts for it (no time window, unlike a cache that expires). The commands that change a
subscription (add, disable, enable, rotate) all move ``updated_at`` or the active set or the count; the
delivery worker's ``failing_since`` bookkeeping changes none of what the fan-out looks at.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.adapters import orm
from domain.adapters.orm_webhooks import webhook_subscriptions
from domain.adapters.webhooks_repository import subscription_from_row
from domain.model.webhooks import WebhookSubscription


class SubscriptionCache:
    def __init__(self) -> None:
        self._fingerprint: tuple[Any, ...] | None = None
        self._active: tuple[WebhookSubscription, ...] = ()
        self.loads = 0  # how many times the subscriptions were read (for tests and profiles)

    async def matching(
        self, session: AsyncSession, event_id: str, event_type: str
    ) -> tuple[list[WebhookSubscription], datetime | None]:
        """The active subscriptions that want ``event_type``, and when the event happened."""
        s, o = webhook_subscriptions.c, orm.outbox.c
        occurred = select(o.created_at).where(o.event_id == event_id).scalar_subquery()
        stmt = select(
            func.count(s.id),
            func.coalesce(func.sum(case((s.active, s.id), else_=0)), 0),
            func.max(s.updated_at),
            occurred,
        ).select_from(webhook_subscriptions)
        count, active_ids, changed, happened = (await session.execute(stmt)).one()
        fingerprint = (int(count), int(active_ids), changed)
        if fingerprint != self._fingerprint:
            rows = (await session.execute(select(webhook_subscriptions).where(s.active))).all()
            self._active = tuple(map(subscription_from_row, rows))
            self._fingerprint = fingerprint
            self.loads += 1
        return [sub for sub in self._active if sub.wants(event_type)], happened
