"""The products a campaign features, as shoppers see them: name, options, price and picture, not a SKU.

A broadcast features the same few SKUs in thousands of messages, so each is read from the catalog once and
kept for ``ttl`` seconds (a price changed meanwhile shows within that time; the cart always re-prices).
A SKU the catalog no longer knows is shown by its code, so a message never fails for want of a product.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bots.i18n import Translator, normalise_locale
from bots.shopper.render import shop_word_in
from domain.model.money import Money
from domain.views.port import CatalogViews


@dataclass(frozen=True)
class Featured:
    sku: str
    name: str  # "Stride Running Shoes (red / 42)"; "Stride 轻量跑鞋 (红色 / 42)" for a Chinese recipient
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
    def __init__(self, views: CatalogViews, ttl: float = 300.0, now: Callable[[], float] = time.monotonic) -> None:
        self.views = views
        self.ttl = ttl
        self.now = now
        self._cache: dict[tuple[str, str], tuple[float, Featured]] = {}

    async def get(self, skus: Iterable[str], locale: str | None = None) -> tuple[Featured, ...]:
        """The SKUs' products, named in ``locale`` (the recipient's) where the catalog has a translation."""
        return tuple([await self._one(sku, locale) for sku in skus])

    async def _one(self, sku: str, locale: str | None) -> Featured:
        key = (sku, locale or "")
        cached = self._cache.get(key)
        if cached is not None and self.now() - cached[0] < self.ttl:
            return cached[1]
        featured = await self._read(sku, locale)
        self._cache[key] = (self.now(), featured)
        return featured

    async def _read(self, sku: str, locale: str | None) -> Featured:
        product = await self.views.product(sku=sku, locale=locale)
        variant = next((v for v in product.variants if v.sku == sku), None) if product else None
        if product is None or variant is None:
            return Featured.unknown(sku)
        t = Translator(normalise_locale(locale) or "en")
        options = " / ".join(shop_word_in(t, v) for _k, v in sorted(variant.options.items()))
        return Featured(
            sku,
            f"{product.name} ({options})" if options and len(product.variants) > 1 else product.name,
            Money(variant.price, variant.currency).format(),
            product.images[0] if product.images else None,
            product.id,
            variant.available,
        )
