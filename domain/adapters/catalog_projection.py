"""The catalog in memory: categories, products with their translations, variants, warehouses and shipping
methods, loaded once and loaded again when the catalog changed — in this process or any other.

Database triggers raise ``catalog_version.version`` in the same transaction as every catalog change
(``orm_catalog``, migration 0019), so one small read per shopper turn tells whether the copy held here is
still the catalog the database has; a commit that changed it is seen on the next turn of every process,
with or without Redis. Stock is not part of it: it changes with every order and is read live.

A ``Catalog`` is immutable once built (its rows are SQLAlchemy ``Row`` objects; the JSON values inside
them are shared, so callers copy before handing them out).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Integer, bindparam, func, literal, select, union_all

from domain.adapters import orm
from domain.adapters.orm_catalog import catalog_version
from domain.model.catalog import SearchQuery

P, V, C, W = orm.products.c, orm.variants.c, orm.categories.c, orm.warehouses.c
Rows = Callable[..., Awaitable[list[Any]]]  # (statement, params=None) -> rows, on the caller's connection

# Built once: a statement object keeps its cache key, so running it again skips SQLAlchemy's compiler.
VERSION = select(catalog_version.c.version).where(catalog_version.c.id == 1)
_CATEGORIES = select(C.id, C.slug, C.name, C.parent_id, C.translations).order_by(C.name, C.id)
_PRODUCTS = select(orm.products).order_by(P.id)
_VARIANTS = select(orm.variants).order_by(V.id)
_WAREHOUSES = select(orm.warehouses).order_by(W.id)
_SHIPPING = select(orm.shipping_methods).order_by(orm.shipping_methods.c.price, orm.shipping_methods.c.code)
S = orm.stock_levels.c
# Available stock per variant in active warehouses, for the variants asked about only.
AVAILABLE = (
    select(S.variant_id, func.sum(S.on_hand - S.reserved - S.allocated))
    .join(orm.warehouses, W.id == S.warehouse_id)
    .where(W.active.is_(True), S.variant_id.in_(bindparam("ids", expanding=True)))
    .group_by(S.variant_id)
)
# The same, with the catalog's version in a first row (variant_id NULL): one statement checks that the
# catalog held in memory is current and reads the stock the turn shows.
AVAILABLE_AND_VERSION = union_all(
    select(literal(None, Integer).label("variant_id"), catalog_version.c.version.label("amount")).where(
        catalog_version.c.id == 1
    ),
    AVAILABLE,
)
_STOCK_CHUNK = 500  # variants per statement (SQLite limits bound parameters)


@dataclass(frozen=True)
class Catalog:
    version: int
    categories: Sequence[Any]  # by name, then id
    products: Sequence[Any]  # by id
    variants_of: dict[int, tuple[Any, ...]]  # product id -> its variants by id
    warehouses: Sequence[Any]
    shipping_methods: Sequence[Any]  # by price, then code
    category: dict[int, Any] = field(default_factory=dict)
    product: dict[int, Any] = field(default_factory=dict)
    by_slug: dict[str, Any] = field(default_factory=dict)
    by_sku: dict[str, Any] = field(default_factory=dict)  # SKU -> variant
    variant: dict[int, Any] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        version: int,
        categories: list[Any],
        products: list[Any],
        variants: list[Any],
        warehouses: list[Any],
        shipping: list[Any],
    ) -> Catalog:
        variants_of: dict[int, list[Any]] = {}
        for v in variants:
            variants_of.setdefault(v.product_id, []).append(v)
        return cls(
            version,
            tuple(categories),
            tuple(products),
            {pid: tuple(vs) for pid, vs in variants_of.items()},
            tuple(warehouses),
            tuple(shipping),
            category={c.id: c for c in categories},
            product={p.id: p for p in products},
            by_slug={p.slug: p for p in products},
            by_sku={v.sku: v for v in variants},
            variant={v.id: v for v in variants},
        )

    @cached_property
    def category_totals(self) -> dict[int, int]:
        """Active products per category, its subcategories' included (computed once per catalog)."""
        direct = dict.fromkeys(self.category, 0)
        for p in self.products:
            if p.status == "active" and p.category_id in direct:
                direct[p.category_id] += 1
        children: dict[int | None, list[int]] = {}
        for c in self.categories:
            children.setdefault(c.parent_id, []).append(c.id)
        totals: dict[int, int] = {}

        def total(cid: int, depth: int = 0) -> int:
            if cid not in totals:
                below = children.get(cid, []) if depth < 20 else []
                totals[cid] = direct[cid] + sum(total(ch, depth + 1) for ch in below)
            return totals[cid]

        for c in self.categories:
            total(c.id)
        return totals

    def descendants(self, slug: str) -> list[int]:
        """The category with this slug and every category under it (empty for an unknown slug)."""
        root = next((c.id for c in self.categories if c.slug == slug), None)
        if root is None:
            return []
        found, frontier = {root}, [root]
        while frontier:
            children = [c.id for c in self.categories if c.parent_id in frontier and c.id not in found]
            found.update(children)
            frontier = children
        return sorted(found)

    def lineage(self, category_id: int | None) -> list[Any]:
        """The category and its ancestors, root first."""
        path: list[Any] = []
        current = category_id
        while current is not None and current in self.category and len(path) < 20:
            path.append(self.category[current])
            current = self.category[current].parent_id
        return list(reversed(path))

    def matches(self, query: SearchQuery, tokens: Sequence[str]) -> list[tuple[Any, tuple[Any, ...]]]:
        """Active products with the active variants that meet every condition of the query (the same
        conditions the SQL search had: words in the search text, brand, category subtree, attributes or
        options, price range). Products without such a variant are left out."""
        brand = query.brand.lower() if query.brand else None
        categories = set(self.descendants(query.category_slug)) if query.category_slug else None
        wanted = [(key, value.lower()) for key, value in query.attributes]
        found: list[tuple[Any, tuple[Any, ...]]] = []
        for p in self.products:
            if p.status != "active" or any(t not in p.search_text for t in tokens):
                continue
            if brand is not None and (p.brand or "").lower() != brand:
                continue
            if categories is not None and p.category_id not in categories:
                continue
            variants = tuple(
                v
                for v in self.variants_of.get(p.id, ())
                if v.active
                and (query.min_price is None or v.price >= query.min_price)
                and (query.max_price is None or v.price <= query.max_price)
                and all(_text(p.attributes, k) == value or _text(v.options, k) == value for k, value in wanted)
            )
            if variants:
                found.append((p, variants))
        return found


def _text(values: Any, key: str) -> str | None:
    """A JSON value as SQL's ``->>`` reads it, lower-cased (None when missing or not a scalar)."""
    value = (values or {}).get(key)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value).lower()
    return None


async def available(rows: Rows, variant_ids: Iterable[int]) -> dict[int, int]:
    """Stock available now per variant (variants without stock rows are absent: 0)."""
    ids = sorted(set(variant_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), _STOCK_CHUNK):
        for variant_id, amount in await rows(AVAILABLE, {"ids": ids[start : start + _STOCK_CHUNK]}):
            found[variant_id] = int(amount or 0)
    return found


async def available_and_version(rows: Rows, variant_ids: Iterable[int]) -> tuple[int, dict[int, int]]:
    """The catalog's version and the stock available per variant, read in one statement (when the variants
    fit in one; the version is read with the first chunk)."""
    ids = sorted(set(variant_ids))
    version = 0
    found: dict[int, int] = {}
    for result in await rows(AVAILABLE_AND_VERSION, {"ids": ids[:_STOCK_CHUNK]}):
        if result[0] is None:
            version = int(result[1])
        else:
            found[result[0]] = int(result[1] or 0)
    if len(ids) > _STOCK_CHUNK:
        found.update(await available(rows, ids[_STOCK_CHUNK:]))
    return version, found


class CatalogProjection:
    """Holds the newest ``Catalog`` this process read; shared by every copy of the views."""

    def __init__(self) -> None:
        self._catalog: Catalog | None = None
        self._loading: asyncio.Lock | None = None
        self.loads = 0  # how many times the catalog was read in full (tests count them)

    @property
    def held(self) -> Catalog | None:
        """The catalog read last (unchecked)."""
        return self._catalog

    async def with_stock(
        self, rows: Rows, variant_ids: Callable[[Catalog], Iterable[int]]
    ) -> tuple[Catalog, dict[int, int]]:
        """The catalog held, checked in the same statement that reads the stock of ``variant_ids(catalog)``:
        one statement per turn while the catalog does not change, a reload and a second try when it did."""
        catalog = self._catalog or await self.current(rows)
        for _ in range(3):
            version, stock = await available_and_version(rows, variant_ids(catalog))
            if version == catalog.version:
                return catalog, stock
            catalog = await self.current(rows)
        return catalog, await available(rows, variant_ids(catalog))  # changing under us: the newest we read

    async def current(self, rows: Rows, version: int | None = None) -> Catalog:
        """The catalog as the database has it now: one read of the version (unless the caller's transaction
        already read it, in a statement it ran anyway), and a full load when it moved."""
        if version is None:
            version_rows = await rows(VERSION)
            version = int(version_rows[0][0]) if version_rows else 0
        catalog = self._catalog
        if catalog is not None and catalog.version == version:
            return catalog
        if self._loading is None:
            self._loading = asyncio.Lock()
        async with self._loading:  # turns that find it stale together load it once
            catalog = self._catalog
            if catalog is not None and catalog.version == version:
                return catalog
            # Read after the version: a change committed in between makes the copy newer than its number
            # says, never older, and the next turn loads again.
            catalog = Catalog.build(
                version,
                await rows(_CATEGORIES),
                await rows(_PRODUCTS),
                await rows(_VARIANTS),
                await rows(_WAREHOUSES),
                await rows(_SHIPPING),
            )
            self._catalog = catalog
            self.loads += 1
            return catalog
