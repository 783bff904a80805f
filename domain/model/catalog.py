"""Catalog: a category tree, products with variants (SKUs) priced in minor units."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
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


#: The language catalog text is written in first; a translation is kept for each of the others.
DEFAULT_LOCALE = "en"
#: Languages a product or category can carry names in besides the default (CLDR codes, as the shop's
#: message catalogs use). A translation in a language no shopper is served in would never be read.
TRANSLATION_LOCALES = ("zh_Hans",)
_LOCALE_ALIASES = {
    "zh": "zh_Hans",
    "zh_hans": "zh_Hans",
    "zh_cn": "zh_Hans",
    "zh_sg": "zh_Hans",
    "zh_hans_cn": "zh_Hans",
}
MAX_NAME_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 4000
_TEXT_FIELDS = {"name": MAX_NAME_LENGTH, "description": MAX_DESCRIPTION_LENGTH}

#: ``{"zh_Hans": {"name": "女款轻量跑鞋", "description": "…"}}``
Translations = dict[str, dict[str, str]]


def translation_locale(code: str) -> str:
    """A locale code as catalog text is keyed by ("zh", "zh-Hans", "zh_CN" -> "zh_Hans"); refuses others."""
    key = code.strip().replace("-", "_").lower()
    locale = _LOCALE_ALIASES.get(key)
    if locale is None:
        known = ", ".join(TRANSLATION_LOCALES)
        raise ValidationFailed(
            f"{code.strip()[:20]!r} is not a language catalog text can be translated into: use {known}."
        )
    return locale


def catalog_locale(shopper_locale: str | None) -> str | None:
    """The translation a shopper speaking ``shopper_locale`` reads ("zh" -> "zh_Hans"); None: the default text."""
    if not shopper_locale:
        return None
    return _LOCALE_ALIASES.get(shopper_locale.strip().replace("-", "_").lower())


def validate_translations(translations: Mapping[str, Mapping[str, str]], fields: tuple[str, ...]) -> Translations:
    """Translations checked and tidied: known languages, only ``fields``, each text within its length;
    empty texts are dropped (an empty name falls back to the default one)."""
    out: Translations = {}
    for code, texts in translations.items():
        locale = translation_locale(code)
        entry: dict[str, str] = {}
        for field_name, text in texts.items():
            if field_name not in fields:
                raise ValidationFailed(f"A {locale} translation can hold {' and '.join(fields)}, not {field_name!r}.")
            if not isinstance(text, str):
                raise ValidationFailed(f"The {locale} {field_name} must be text.")
            value = text.strip()
            limit = _TEXT_FIELDS[field_name]
            if len(value) > limit:
                raise ValidationFailed(
                    f"The {locale} {field_name} is {len(value)} characters long; at most {limit} are allowed."
                )
            if value:
                entry[field_name] = value
        if entry:
            out.setdefault(locale, {}).update(entry)
    return out


def localized(
    translations: Mapping[str, Mapping[str, str]] | None, locale: str | None, field: str, default: str
) -> str:
    """``field`` in ``locale`` (a catalog locale, see ``catalog_locale``), or ``default`` without one."""
    if not locale or not translations:
        return default
    return (translations.get(locale) or {}).get(field) or default


def variant_label(options: Mapping[str, str], sku: str) -> str:
    """How a variant is named after its product: its option values ("red / 42"), or its SKU."""
    return " / ".join(f"{v}" for _, v in sorted(options.items())) or sku


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
        self.translations: Translations = {}

    def translate(self, translations: Mapping[str, Mapping[str, str]]) -> None:
        """Set the names given (``{"zh_Hans": {"name": "卫衣"}}``); other languages keep theirs."""
        merged = {locale: dict(texts) for locale, texts in (self.translations or {}).items()}
        merged.update(validate_translations(translations, ("name",)))
        self.translations = merged  # a new dict, so the mapping sees the change


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
        return variant_label(self.options, self.sku)


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
        self.translations: Translations = {}
        self.search_text = ""
        self.variants: list[Variant] = []
        self.updated_at: datetime | None = None  # set by every change (API syncs pull changes since a time)

    def translate(self, translations: Mapping[str, Mapping[str, str]]) -> None:
        """Replace the translated names and descriptions (``{"zh_Hans": {"name": …, "description": …}}``)."""
        self.translations = validate_translations(translations, ("name", "description"))

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
        """Denormalised lower-case text searched by LIKE on SQLite and PostgreSQL alike: the names in every
        language (a Chinese shopper finds 女款轻量跑鞋 by any part of it), the descriptions, the category path
        (``category_path`` holds each category's names in every language)."""
        translated = [text for texts in self.translations.values() for text in texts.values()]
        parts = [self.name, self.brand or "", self.description, *translated, *category_path]
        parts.extend(self.attributes.values())
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
    locale: str | None = None  # the shopper's: names and categories come back in it when translated
