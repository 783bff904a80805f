"""Campaigns: waking the sender, back-in-stock notices, test sends and order attribution.

The subscribing itself is in ``chatshop/cli_campaign.py`` (it needs the dispatcher built there), through
``subscribe`` below, which takes the events from this list."""

from __future__ import annotations

from typing import Any

from chatshop.subscribers import spec
from chatshop.subscribers.spec import listing

SUBSCRIBERS = listing(
    "campaigns",
    (
        "campaign-sender-wake",
        {"CampaignApproved", "CampaignStarted", "CampaignResumed"},
        "wakes this process's campaign sender: a campaign may have work due at once",
    ),
    ("campaign-back-in-stock", {"BackInStock"}, "notifies the shoppers who asked when a SKU comes back"),
    ("campaign-tests", {"CampaignTestRequested"}, "sends the test message a marketer asked for"),
    ("campaign-attribution", {"OrderPlaced"}, "credits a new order to the customer's last campaign touch"),
)


def subscribe(outbox: Any, name: str, handler: Any) -> None:
    spec.subscribe(outbox, SUBSCRIBERS, name, handler)
