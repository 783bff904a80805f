"""The live catalog's names in the embedded engine's dictionary, in every language the catalog holds.

The lookup tables under ``nlu/data/lookups`` are exported from the demo shop and change only with a
retrain; a product added since, or named in Chinese ("Stride 轻量跑鞋"), is not in them. ``CatalogTerms``
reads the catalog's vocabulary (``CatalogViews.vocabulary``: names and their translations) before a parse
when it is older than ``refresh_seconds`` and puts the names the data files don't hold into the embedded
engine's dictionary (product names, their brand-less types such as "轻量跑鞋", category names), each meaning
itself, so a shopper who types a name finds the product by it. A name the data files already map keeps
their value; a name gone from the catalog is taken out again. Rasa learns them only from exported lookup
tables and a retrain (``chatshop nlu export-lookups``); its embedded fallback has them at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from domain.views.port import CatalogViews
from nlu.embedded import EmbeddedEngine
from nlu.embedded.gazetteer import Gazetteer
from nlu.embedded.tokens import normalise_key
from nlu.interface import NluEngine, ParseResult
from nlu.lookups import product_types

log = logging.getLogger(__name__)
REFRESH_SECONDS = 300.0


class CatalogTerms:
    """An NLU engine whose embedded dictionary (its own, or its fallback's) also holds the catalog's names."""

    def __init__(
        self,
        engine: NluEngine,
        views: CatalogViews,
        refresh_seconds: float = REFRESH_SECONDS,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.engine = engine
        self.views = views
        self.refresh_seconds = refresh_seconds
        self._now = now
        self._loaded_at: float | None = None
        self._added: set[str] = set()  # dictionary keys this object put there (and may take out)
        self._lock = asyncio.Lock()

    @property
    def gazetteer(self) -> Gazetteer | None:
        embedded = self.engine if isinstance(self.engine, EmbeddedEngine) else getattr(self.engine, "fallback", None)
        return embedded.model.gazetteer if isinstance(embedded, EmbeddedEngine) else None

    async def parse(self, text: str, locale: str | None = None) -> ParseResult:
        if self._loaded_at is None or self._now() - self._loaded_at >= self.refresh_seconds:
            await self.refresh()
        return await self.engine.parse(text, locale)

    async def refresh(self) -> int:
        """Read the catalog's names again; returns how many the dictionary holds from the catalog now."""
        async with self._lock:
            self._loaded_at = self._now()
            gazetteer = self.gazetteer
            if gazetteer is None:
                return 0
            try:
                vocabulary = await self.views.vocabulary()
            except Exception:  # the shop keeps talking with the names it already knows
                log.exception("could not read the catalog's names for the NLU")
                return len(self._added)
            every_name = replace(
                vocabulary,
                products=[*vocabulary.products, *vocabulary.translated_products],
                categories=[*vocabulary.categories, *vocabulary.translated_categories],
            )
            terms = {name: "product" for name in (*every_name.products, *product_types(every_name))}
            terms.update({name: "category" for name in every_name.categories})
            wanted = {normalise_key(name): (name, entity) for name, entity in terms.items() if name.strip()}
            for key in self._added - wanted.keys():
                gazetteer.terms.pop(key, None)
                for table in gazetteer.canonical.values():
                    table.pop(key, None)
            self._added &= wanted.keys()
            for key, (name, entity) in wanted.items():
                if key not in gazetteer.terms:
                    gazetteer.add(name, entity, name)
                    self._added.add(key)
            return len(self._added)
