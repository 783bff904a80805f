"""Analytics events: what happened, to whom, in which channel; read back by report views."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any


class EventName(StrEnum):
    MESSAGE_RECEIVED = "message_received"
    PRODUCT_VIEWED = "product_viewed"
    SEARCHED = "searched"
    ADDED_TO_CART = "added_to_cart"
    CHECKOUT_STARTED = "checkout_started"
    ORDER_PLACED = "order_placed"
    ORDER_PAID = "order_paid"


class AnalyticsEvent:
    def __init__(
        self,
        name: str,
        occurred_at: datetime,
        customer_id: int | None = None,
        channel: str | None = None,
        product_id: int | None = None,
        order_id: int | None = None,
        value: int | None = None,
        properties: dict[str, Any] | None = None,
    ) -> None:
        self.id: int | None = None
        self.name = name
        self.occurred_at = occurred_at
        self.customer_id = customer_id
        self.channel = channel
        self.product_id = product_id
        self.order_id = order_id
        self.value = value
        self.properties = dict(properties or {})
