"""The registry assembled from the feature modules (see the package docstring)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chatshop.subscribers import analytics, campaigns, channels, payments, webhooks
from chatshop.subscribers.spec import Subscriber

REGISTRY: dict[str, Subscriber] = {
    s.name: s
    for s in (
        *payments.SUBSCRIBERS,
        *webhooks.SUBSCRIBERS,
        *campaigns.SUBSCRIBERS,
        *channels.SUBSCRIBERS,
        *analytics.SUBSCRIBERS,
    )
}

# Events no subscriber of ours acts on: they are for outbound webhooks and automation rules (the fan-out
# takes every event), or recorded for the audit trail.
PUBLISHED_ONLY = frozenset(
    {
        "ConsentChanged",
        "CustomerAnonymised",
        "StockChanged",
        "CampaignCancelled",
        # Purchasing (issue 19): for webhook subscribers and the audit trail; receipts publish StockChanged.
        "PurchaseOrderSent",
        "PurchaseOrderCancelled",
        "PurchaseOrderReceived",
    }
)


def followers(event_name: str) -> list[Subscriber]:
    """The subscribers that act on this event (the catch-all fan-out excluded)."""
    return [s for s in REGISTRY.values() if s.events is not None and event_name in s.events]


def unregistered(subscriptions: Iterable[Any]) -> list[str]:
    """What a process subscribed that the registry does not list, or lists with other events."""
    problems = []
    for sub in subscriptions:
        known = REGISTRY.get(sub.name)
        if known is None:
            problems.append(f"{sub.name}: not in chatshop/subscribers")
        elif known.events != sub.events:
            got, listed = sorted(sub.events or ["*"]), sorted(known.events or ["*"])
            problems.append(f"{sub.name}: subscribed to {got}, listed for {listed}")
    return problems


__all__ = ["PUBLISHED_ONLY", "REGISTRY", "Subscriber", "followers", "unregistered"]
