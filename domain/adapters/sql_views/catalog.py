"""Catalog views: search, product cards, the category tree, shipping options, the vocabulary for the NLU."""

from __future__ import annotations

from typing import Any

from domain.adapters.catalog_projection import Catalog
from domain.adapters.sql_views.base import SqlViewsBase
from domain.errors import ValidationFailed
from domain.model.catalog import SearchQuery, catalog_locale, localized
from domain.model.shipping import valid_country
from domain.views.models import (
    CatalogVocabulary,
    CategoryNode,
    Page,
    ProductDetail,
    ProductSummary,
    ShippingOption,
    VariantView,
)


def _translated_names(rows: list[Any]) -> set[str]:
    """Every translated name of the rows (their ``translations`` column): the words shoppers use in each
    language, for the NLU's lookup tables."""
    return {name for r in rows for texts in (r.translations or {}).values() if (name := texts.get("name"))}


class SqlCatalogViews(SqlViewsBase):
    """Read from the catalog in memory; only stock is read live."""

    async def search(self, query: SearchQuery) -> Page[ProductSummary]:
        """Matched in memory against the catalog (the conditions the SQL search had); only the stock of the
        matching variants is read."""
        tokens = [t for t in query.text.lower().split() if t][:8]
        locale = catalog_locale(query.locale)
        limit = max(1, min(query.limit, 50))
        offset = max(0, query.offset)

        def order(match: tuple[Any, tuple[Any, ...]]) -> tuple[int, str, int]:
            p = match[0]
            # Listed by the name the shopper reads (the translation when there is one); products whose name
            # has the first word come before those matching only elsewhere.
            name = localized(p.translations, locale, "name", p.name)
            return (0 if tokens and tokens[0] in name.lower() else 1, name, p.id)

        found: dict[int, list[tuple[Any, tuple[Any, ...]]]] = {}  # by catalog version (a reload matches again)

        def stock_wanted(catalog: Catalog) -> list[int]:
            matches = found[catalog.version] = sorted(catalog.matches(query, tokens), key=order)
            # Filtering on stock needs the stock of every match before paging; otherwise the page's only.
            chosen = matches if query.in_stock_only else matches[offset : offset + limit]
            return [v.id for _, vs in chosen for v in vs]

        catalog, stock = await self._catalog_and_stock(stock_wanted)
        matches = found[catalog.version]
        if query.in_stock_only:
            matches = [m for m in matches if sum(stock.get(v.id, 0) for v in m[1]) > 0]
        page = matches[offset : offset + limit]
        items = []
        for p, variants in page:
            category = catalog.category.get(p.category_id) if p.category_id is not None else None
            prices = [v.price for v in variants]
            items.append(
                ProductSummary(
                    p.id,
                    p.slug,
                    localized(p.translations, locale, "name", p.name),
                    p.brand,
                    localized(category.translations, locale, "name", category.name) if category else None,
                    (p.images or [None])[0],
                    min(prices),
                    max(prices),
                    min(v.currency for v in variants),
                    sum(stock.get(v.id, 0) for v in variants),
                )
            )
        return Page(tuple(items), len(matches), offset, limit)

    async def product(
        self,
        *,
        product_id: int | None = None,
        slug: str | None = None,
        sku: str | None = None,
        locale: str | None = None,
    ) -> ProductDetail | None:
        if product_id is None and slug is None and sku is None:
            return None

        def find(catalog: Catalog) -> Any:
            if product_id is not None:
                return catalog.product.get(product_id)
            if slug is not None:
                return catalog.by_slug.get(slug)
            variant = catalog.by_sku.get((sku or "").strip().upper())
            return catalog.product.get(variant.product_id) if variant is not None else None

        def stock_wanted(catalog: Catalog) -> list[int]:
            p = find(catalog)
            return [v.id for v in catalog.variants_of.get(p.id, ())] if p is not None else []

        catalog, stock = await self._catalog_and_stock(stock_wanted)
        p = find(catalog)
        if p is None:
            return None
        vrows = catalog.variants_of.get(p.id, ())
        lineage = catalog.lineage(p.category_id)
        variants = tuple(
            VariantView(
                v.id,
                v.sku,
                dict(v.options or {}),
                v.price,
                v.currency,
                max(0, stock.get(v.id, 0)),
                bool(v.active),
                v.low_stock_threshold,
            )
            for v in vrows
        )
        where = catalog_locale(locale)
        translations = {k: dict(v) for k, v in (p.translations or {}).items()}
        return ProductDetail(
            p.id,
            p.slug,
            localized(translations, where, "name", p.name),
            localized(translations, where, "description", p.description),
            p.brand,
            tuple(localized(c.translations, where, "name", c.name) for c in lineage),
            dict(p.attributes or {}),
            tuple(p.images or []),
            variants,
            p.status == "active",
            translations=translations,
            category_translations={
                code: tuple(localized(c.translations, code, "name", c.name) for c in lineage)
                for code in sorted({code for c in lineage for code in (c.translations or {})})
            },
        )

    async def categories(self, locale: str | None = None) -> list[CategoryNode]:
        where = catalog_locale(locale)
        catalog = await self._catalog()
        totals = catalog.category_totals
        return [
            CategoryNode(r.id, r.slug, localized(r.translations, where, "name", r.name), r.parent_id, totals[r.id])
            for r in catalog.categories
        ]

    async def shipping_options(self, country: str, subtotal: int) -> list[ShippingOption]:
        try:
            country = valid_country(country)
        except ValidationFailed:
            return []
        out = []
        for r in (await self._catalog()).shipping_methods:  # by price, then code
            if not r.active:
                continue
            if r.countries and country not in r.countries:
                continue
            price = 0 if r.free_over is not None and subtotal >= r.free_over else r.price
            out.append(ShippingOption(r.code, r.name, price, r.currency, r.min_days, r.max_days, r.free_over))
        return out

    async def vocabulary(self) -> CatalogVocabulary:
        catalog = await self._catalog()
        products = [p for p in catalog.products if p.status == "active"]
        colors: set[str] = set()
        sizes: set[str] = set()
        for vs in catalog.variants_of.values():
            for v in vs:
                if not v.active:
                    continue
                for k, value in (v.options or {}).items():
                    if k.lower() in ("color", "colour"):
                        colors.add(str(value))
                    elif k.lower() == "size":
                        sizes.add(str(value))
        return CatalogVocabulary(
            products=sorted({p.name for p in products}),
            brands=sorted({p.brand for p in products if p.brand}),
            categories=sorted({c.name for c in catalog.categories}),
            colors=sorted(colors),
            sizes=sorted(sizes),
            translated_products=sorted(_translated_names(products)),
            translated_categories=sorted(_translated_names(list(catalog.categories))),
        )
