"""The port every channel implements to deliver one campaign message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bots.campaigns.featured import Featured
from domain.model.campaigns import SendOutcome


@dataclass(frozen=True)
class Message:
    """One rendered campaign message for one person on one channel."""

    campaign_id: int
    delivery_id: int
    customer_id: int
    channel: str
    address: str  # Telegram chat id, web chat id, e-mail address
    locale: str
    text: str
    image_url: str | None = None
    skus: tuple[str, ...] = ()
    coupon: str | None = None
    subject: str = ""  # e-mail subject (the campaign's first line)
    unsubscribe_url: str = ""  # a signed link that opts this person out (e-mail; chats use a button)
    click_url: str = ""  # a signed link that records a click and opens the shop
    products: tuple[Featured, ...] = ()  # the featured SKUs with name, price and picture (same order as skus)
    checkout: bool = False  # an abandoned-cart reminder: skus are the cart's, and a button leads to checkout

    def featured(self) -> tuple[Featured, ...]:
        """The featured products, or their SKUs alone when they were not looked up."""
        return self.products or tuple(Featured.unknown(sku) for sku in self.skus)


class CampaignTransport(Protocol):
    async def send(self, message: Message) -> SendOutcome: ...
