"""The products a campaign features, as shoppers see them: name, options, price and picture, not a SKU.

A broadcast features the same few SKUs in thousands of messages, so each is read from the catalog once and
kept for ``ttl`` seconds (a price changed meanwhile shows within that time; the cart always re-prices).
A SKU the catalog no longer knows is shown by its code, so a message never fails for want of a product.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bots.shopper.render import variant_label
from domain.model.money import Money
from domain.views.port import ShopViews


@dataclass(frozen=True)
class Featured:
    sku: str
    name: str  # "Stride Running Shoes (red / 42)"
    price: str  # "80.00 USD", or "" when the SKU is unknown
    image: str | None  # as the catalog stores it (often a /media/... path)
    product_id: int | None = None
    available: int = 0

    @property
    def label(self) -> str:
        """A button's text: name and price, short enough for a chat button."""
        text = f"{self.name} · {self.price}" if self.price else self.name
        return text if len(text) <= 60 else text[:59] + "…"

    @classmethod
    def unknown(cls, sku: str) -> Featured:
        return cls(sku, sku, "", None)


class FeaturedProducts:
    def __init__(self, views: ShopViews, ttl: float = 300.0, now: Callable[[], float] = time.monotonic) -> None:
        self.views = views
        self.ttl = ttl
        self.now = now
        self._cache: dict[str, tuple[float, Featured]] = {}

    async def get(self, skus: Iterable[str]) -> tuple[Featured, ...]:
        return tuple([await self._one(sku) for sku in skus])

    async def _one(self, sku: str) -> Featured:
        cached = self._cache.get(sku)
        if cached is not None and self.now() - cached[0] < self.ttl:
            return cached[1]
        featured = await self._read(sku)
        self._cache[sku] = (self.now(), featured)
        return featured

    async def _read(self, sku: str) -> Featured:
        product = await self.views.product(sku=sku)
        variant = next((v for v in product.variants if v.sku == sku), None) if product else None
        if product is None or variant is None:
            return Featured.unknown(sku)
        options = variant_label(variant) if variant.options else ""
        return Featured(
            sku,
            f"{product.name} ({options})" if options and len(product.variants) > 1 else product.name,
            Money(variant.price, variant.currency).format(),
            product.images[0] if product.images else None,
            product.id,
            variant.available,
        )
