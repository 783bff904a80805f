"""Analytics: the dashboard's rollups follow every change to an order after commit (issue 20)."""

from __future__ import annotations

import domain.events_purchasing  # noqa: F401  (its order events count among those the rollups follow)
from chatshop.subscribers.spec import listing
from domain.adapters.db import Sessions
from domain.adapters.outbox import OutboxWorker
from domain.adapters.rollups import CONSUMER, RollupSubscriber, rollup_events
from domain.ports import Clock

SUBSCRIBERS = listing(
    "analytics",
    (CONSUMER, rollup_events(), "keeps the dashboard's rollups: each order's facts recomputed, the difference applied"),
)


def register(outbox: OutboxWorker, sessions: Sessions, clock: Clock) -> None:
    outbox.subscribe(CONSUMER, RollupSubscriber(sessions, clock), events=set(rollup_events()))
