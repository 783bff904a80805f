"""Catalog: a category tree, products with variants (SKUs) priced in minor units."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import ValidationFailed
from domain.model.money import Money

_SKU = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,63}$")


def slugify(text: str) -> str:
    normalised = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", normalised.lower()).strip("-")
    return slug or "item"


def validate_sku(sku: str) -> str:
    sku = sku.strip().upper()
    if not _SKU.match(sku):
        raise ValidationFailed(f"SKU {sku!r} must be 1-64 letters, digits, '.', '_' or '-'.")
    return sku


class ProductStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class Category:
    def __init__(self, name: str, slug: str | None = None, parent_id: int | None = None) -> None:
        if not name.strip():
            raise ValidationFailed("A category needs a name.")
        self.id: int | None = None
        self.name = name.strip()
        self.slug = slug or slugify(name)
        self.parent_id = parent_id


class Variant:
    def __init__(
        self,
        sku: str,
        price: int,
        currency: str,
        options: dict[str, str] | None = None,
        low_stock_threshold: int = 5,
        active: bool = True,
    ) -> None:
        if price < 0:
            raise ValidationFailed("A price can't be negative.")
        self.id: int | None = None
        self.product_id: int | None = None
        self.sku = validate_sku(sku)
        self.price = price
        self.currency = currency
        self.options = dict(options or {})
        self.low_stock_threshold = low_stock_threshold
        self.active = active

    @property
    def unit_price(self) -> Money:
        return Money(self.price, self.currency)

    def label(self) -> str:
        return " / ".join(f"{v}" for _, v in sorted(self.options.items())) or self.sku


class Product:
    def __init__(
        self,
        name: str,
        slug: str | None = None,
        description: str = "",
        brand: str | None = None,
        category_id: int | None = None,
        attributes: dict[str, str] | None = None,
        images: list[str] | None = None,
        status: ProductStatus = ProductStatus.ACTIVE,
    ) -> None:
        if not name.strip():
            raise ValidationFailed("A product needs a name.")
        self.id: int | None = None
        self.name = name.strip()
        self.slug = slug or slugify(name)
        self.description = description
        self.brand = brand
        self.category_id = category_id
        self.attributes = dict(attributes or {})
        self.images = list(images or [])
        self.status = status
        self.search_text = ""
        self.variants: list[Variant] = []
        self.updated_at: datetime | None = None  # set by every change (API syncs pull changes since a time)

    @property
    def is_active(self) -> bool:
        return self.status == ProductStatus.ACTIVE

    def add_variant(self, variant: Variant) -> Variant:
        if any(v.sku == variant.sku for v in self.variants):
            raise ValidationFailed(f"{self.name} already has SKU {variant.sku}.")
        self.variants.append(variant)
        return variant

    def archive(self) -> None:
        self.status = ProductStatus.ARCHIVED

    def refresh_search_text(self, category_path: list[str]) -> None:
        """Denormalised lower-case text searched by LIKE on SQLite and PostgreSQL alike."""
        parts = [self.name, self.brand or "", *category_path, *self.attributes.values()]
        for v in self.variants:
            parts.extend(v.options.values())
            parts.append(v.sku)
        self.search_text = " ".join(p.lower() for p in parts if p)


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    category_slug: str | None = None
    brand: str | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    min_price: int | None = None
    max_price: int | None = None
    in_stock_only: bool = False
    limit: int = 10
    offset: int = 0
