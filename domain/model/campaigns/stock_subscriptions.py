"""Back in stock: shoppers who asked to hear when a SKU returns, and which automation tells them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import IllegalTransition
from domain.model.campaigns.campaign import Campaign, CampaignStatus, Trigger


class SubscriptionStatus(StrEnum):
    PENDING = "pending"  # waiting for the SKU to come back (or for a back-in-stock campaign to be approved)
    NOTIFIED = "notified"  # a delivery was queued for it (what became of it is on the delivery row)
    SKIPPED = "skipped"  # it came back, but the shopper could not be messaged (no consent, unreachable...)


@dataclass
class StockSubscription:
    """A shopper asked to be told when a SKU is back ("Notify me"); one per customer and SKU.

    It is used once: the restock that finds it pending queues one delivery with ``run`` = its id, so a
    replayed event or a second sweep finds the delivery row already there (UNIQUE) and the subscription
    no longer pending. Asking again after a notice starts a new subscription (a new id, a new run).
    """

    customer_id: int
    variant_id: int
    sku: str
    channel: str
    created_at: datetime
    status: SubscriptionStatus = SubscriptionStatus.PENDING
    notified_at: datetime | None = None
    campaign_id: int | None = None
    id: int | None = None

    @property
    def pending(self) -> bool:
        return self.status == SubscriptionStatus.PENDING

    def mark(self, reached: bool, campaign_id: int | None, now: datetime) -> None:
        if not self.pending:
            raise IllegalTransition(
                f"stock subscription {self.id}",
                self.status.value,
                "notified",
                "This stock subscription was used already.",
            )
        self.status = SubscriptionStatus.NOTIFIED if reached else SubscriptionStatus.SKIPPED
        self.notified_at = now
        self.campaign_id = campaign_id


def back_in_stock_candidates(campaigns: list[Campaign], sku: str) -> list[Campaign]:
    """Approved back-in-stock automations that may announce ``sku``, best first: those featuring the SKU
    (a message written for that product), then general ones (featuring no product). A campaign featuring
    other products only is not about this one."""
    sku = sku.upper()
    usable = [
        c
        for c in campaigns
        if c.trigger == Trigger.BACK_IN_STOCK and c.status in (CampaignStatus.APPROVED, CampaignStatus.SENDING)
    ]
    specific = [c for c in usable if sku in {s.upper() for s in c.skus}]
    general = [c for c in usable if not c.skus]
    return specific + general
