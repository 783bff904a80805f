"""The catalog's words (products, brands, categories, colours, sizes) for the NLU lookup tables."""

from __future__ import annotations

from chatshop.bootstrap import build_shop
from chatshop.settings import get_settings
from domain.views.models import CatalogVocabulary


async def load_vocabulary() -> CatalogVocabulary:
    shop = build_shop(get_settings())
    try:
        return await shop.views.vocabulary()
    finally:
        await shop.close()
