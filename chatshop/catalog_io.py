"""Catalog import and export as CSV (one row per variant) or JSON (one object per product).

A bad row is reported with its line number and reason; the product it belongs to is skipped whole and
every other product is still imported, each in its own transaction, so nothing is ever half-written.
"""

from __future__ import annotations

import asyncio
import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.progress import Progress

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters.lookups import product_ids
from domain.errors import DomainError
from domain.model.catalog import TRANSLATION_LOCALES, slugify, translation_locale, validate_sku
from domain.model.money import Money
from domain.views.models import ProductDetail

CSV_FIELDS = [
    "product_slug",
    "name",
    "brand",
    "category",
    "description",
    "sku",
    "price",
    "options",
    "attributes",
    "images",
    "status",
    "low_stock_threshold",
    # Translations, one column per text and language: name_zh_Hans, description_zh_Hans, category_zh_Hans
    # (a path like category: "服装 > 卫衣"). A header may spell the language zh, zh-Hans or zh_CN too.
    *(f"{text}_{locale}" for locale in TRANSLATION_LOCALES for text in ("name", "description", "category")),
]
_TRANSLATED_TEXTS = ("name", "description", "category")
MAX_ROWS = 200_000


@dataclass(frozen=True)
class Problem:
    line: int
    reason: str


@dataclass
class ImportReport:
    products: int = 0
    variants: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass
class _Draft:
    first_line: int
    name: str
    slug: str
    brand: str | None
    category: tuple[str, ...]
    description: str
    attributes: dict[str, str]
    images: tuple[str, ...]
    active: bool
    variants: list[c.VariantSpec] = field(default_factory=list)
    bad: bool = False
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    category_translations: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _translations(row: dict[str, Any]) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, ...]]]:
    """The ``name_zh_Hans`` / ``description_zh_Hans`` / ``category_zh_Hans`` columns of a row, by locale.
    A column named like a translation in a language the shop doesn't know is refused, not ignored."""
    texts: dict[str, dict[str, str]] = {}
    categories: dict[str, tuple[str, ...]] = {}
    for column, value in row.items():
        text, sep, code = str(column or "").partition("_")
        if not sep or text not in _TRANSLATED_TEXTS or not str(value or "").strip():
            continue
        locale = translation_locale(code)
        if text == "category":
            categories[locale] = _path(str(value))
        else:
            texts.setdefault(locale, {})[text] = str(value)
    return texts, categories


def _path(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(">") if p.strip())


def _pairs(text: str, line: int, what: str) -> dict[str, str]:
    """Parse ``key=value;key=value``."""
    out: dict[str, str] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(f"{what} must look like 'color=red;size=M', not {part!r}")
        out[key.strip().lower()] = value.strip()
    return out


def _status(text: str) -> bool:
    value = (text or "active").strip().lower()
    if value not in ("active", "archived"):
        raise ValueError(f"status must be active or archived, not {text!r}")
    return value == "active"


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {"name", "sku", "price"} - set(reader.fieldnames or [])
        if missing:
            raise DomainError(f"{path.name}: the header lacks {', '.join(sorted(missing))}")
        for column in reader.fieldnames or []:
            text, sep, code = column.partition("_")
            if sep and text in _TRANSLATED_TEXTS:
                try:
                    translation_locale(code)
                except DomainError as exc:
                    raise DomainError(f"{path.name}: column {column}: {exc.message}") from exc
        for row in reader:
            yield reader.line_num, row


def _json_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DomainError(f"{path.name} is not valid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise DomainError(f"{path.name} must hold a list of products")
    for index, product in enumerate(data, start=1):
        if not isinstance(product, dict):
            yield index, {"__error__": "a product must be an object"}
            continue
        variants = product.get("variants") or [{}]
        for variant in variants if isinstance(variants, list) else [{}]:
            category = product.get("category", "")
            yield (
                index,
                {
                    "product_slug": product.get("slug", ""),
                    "name": product.get("name", ""),
                    "brand": product.get("brand") or "",
                    "description": product.get("description", ""),
                    "category": " > ".join(category) if isinstance(category, list) else str(category),
                    "images": "|".join(product.get("images") or []),
                    "status": product.get("status", "active"),
                    "attributes": ";".join(f"{k}={v}" for k, v in (product.get("attributes") or {}).items()),
                    "sku": variant.get("sku", ""),
                    "price": str(variant.get("price", "")),
                    "options": ";".join(f"{k}={v}" for k, v in (variant.get("options") or {}).items()),
                    "low_stock_threshold": variant.get("low_stock_threshold", ""),
                    **_json_translations(product.get("translations")),
                },
            )


def _json_translations(value: Any) -> dict[str, str]:
    """``{"zh_Hans": {"name": …, "description": …, "category": ["服装", "卫衣"]}}`` as the CSV's columns."""
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        return {"__error__": 'translations must look like {"zh_Hans": {"name": "…", "description": "…"}}'}
    columns: dict[str, str] = {}
    for code, texts in value.items():
        for text, content in texts.items():
            if text not in _TRANSLATED_TEXTS:
                return {"__error__": f"a translation holds name, description or category, not {text!r}"}
            joined = " > ".join(map(str, content)) if isinstance(content, list) else str(content)
            columns[f"{text}_{code}"] = joined
    return columns


def _drafts(path: Path, currency: str, report: ImportReport) -> list[_Draft]:
    rows = _json_rows(path) if path.suffix.lower() == ".json" else _csv_rows(path)
    drafts: dict[str, _Draft] = {}
    for count, (line, row) in enumerate(rows):
        if count >= MAX_ROWS:
            report.problems.append(Problem(line, f"stopped after {MAX_ROWS} rows"))
            break
        try:
            if "__error__" in row:
                raise ValueError(row["__error__"])
            name = str(row.get("name") or "").strip()
            if not name:
                raise ValueError("name is empty")
            slug = slugify(str(row.get("product_slug") or "").strip() or name)
            sku = validate_sku(str(row.get("sku") or ""))
            price = Money.parse(str(row.get("price") or ""), currency).amount
            if price < 0:
                raise ValueError("price can't be negative")
            threshold_text = str(row.get("low_stock_threshold") or "").strip()
            threshold = int(threshold_text) if threshold_text else 5
            variant = c.VariantSpec(sku, price, _pairs(str(row.get("options") or ""), line, "options"), threshold)
            category = _path(str(row.get("category") or ""))
            translations, category_translations = _translations(row)
            draft = drafts.get(slug)
            if draft is None:
                draft = drafts[slug] = _Draft(
                    line,
                    name,
                    slug,
                    str(row.get("brand") or "").strip() or None,
                    category,
                    str(row.get("description") or ""),
                    _pairs(str(row.get("attributes") or ""), line, "attributes"),
                    tuple(i.strip() for i in str(row.get("images") or "").split("|") if i.strip()),
                    _status(str(row.get("status") or "")),
                    translations=translations,
                    category_translations=category_translations,
                )
            if any(v.sku == sku for v in draft.variants):
                raise ValueError(f"SKU {sku} appears twice")
            draft.variants.append(variant)
        except (ValueError, DomainError) as exc:
            reason = exc.message if isinstance(exc, DomainError) else str(exc)
            report.problems.append(Problem(line, reason))
            slug_hint = slugify(str(row.get("product_slug") or row.get("name") or "") or f"line-{line}")
            if slug_hint in drafts:
                drafts[slug_hint].bad = True
            else:
                drafts[slug_hint] = _Draft(line, "", slug_hint, None, (), "", {}, (), True, bad=True)
    return list(drafts.values())


async def import_catalog(shop: Shop, path: Path, progress: bool = False) -> ImportReport:
    report = ImportReport()
    drafts = _drafts(path, shop.settings.currency, report)
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task(f"importing {path.name}", total=len(drafts))
        for draft in drafts:
            bar.advance(task)
            if draft.bad:
                if draft.name:
                    report.problems.append(Problem(draft.first_line, f"{draft.name} skipped: one of its rows is bad"))
                continue
            try:
                await shop.bus.handle(
                    c.UpsertProduct(
                        draft.name,
                        tuple(draft.variants),
                        draft.category,
                        slug=draft.slug,
                        description=draft.description,
                        brand=draft.brand,
                        attributes=draft.attributes,
                        images=draft.images,
                        active=draft.active,
                        translations=draft.translations,
                        category_translations=draft.category_translations,
                        actor=c.SYSTEM,
                    )
                )
            except DomainError as exc:
                report.problems.append(Problem(draft.first_line, f"{draft.name}: {exc.message}"))
                continue
            report.products += 1
            report.variants += len(draft.variants)
    report.problems.sort(key=lambda p: p.line)
    return report


async def export_catalog(shop: Shop, path: Path, progress: bool = False) -> int:
    ids = await product_ids(shop.sessions)
    products = []
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task(f"exporting {path.name}", total=len(ids))
        for product_id in ids:
            detail = await shop.views.product(product_id=product_id)
            bar.advance(task)
            if detail is not None:
                products.append(detail)
    currency = shop.settings.currency

    def price(amount: int) -> str:
        return Money(amount, currency).decimal_string()

    if path.suffix.lower() == ".json":
        data = [
            {
                "slug": p.slug,
                "name": p.name,
                "brand": p.brand,
                "category": list(p.category_path),
                "description": p.description,
                "attributes": p.attributes,
                "images": list(p.images),
                "status": "active" if p.active else "archived",
                "translations": _export_translations(p),
                "variants": [
                    {
                        "sku": v.sku,
                        "price": price(v.price),
                        "options": v.options,
                        "low_stock_threshold": v.low_stock_threshold,
                    }
                    for v in p.variants
                ],
            }
            for p in products
        ]
        await asyncio.to_thread(path.write_text, json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        return len(products)
    await asyncio.to_thread(_write_csv, path, products, price)
    return len(products)


def _export_translations(p: ProductDetail) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {locale: dict(texts) for locale, texts in p.translations.items()}
    for locale, names in p.category_translations.items():
        out.setdefault(locale, {})["category"] = list(names)
    return out


def _write_csv(path: Path, products: list[ProductDetail], price: Callable[[int], str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, CSV_FIELDS)
        writer.writeheader()
        for p in products:
            for v in p.variants:
                writer.writerow(
                    {
                        "product_slug": p.slug,
                        "name": p.name,
                        "brand": p.brand or "",
                        "category": " > ".join(p.category_path),
                        "description": p.description,
                        "sku": v.sku,
                        "price": price(v.price),
                        "options": ";".join(f"{k}={val}" for k, val in v.options.items()),
                        "attributes": ";".join(f"{k}={val}" for k, val in p.attributes.items()),
                        "images": "|".join(p.images),
                        "status": "active" if p.active else "archived",
                        "low_stock_threshold": v.low_stock_threshold,
                        **{
                            f"{text}_{locale}": value
                            for locale, texts in p.translations.items()
                            for text, value in texts.items()
                        },
                        **{
                            f"category_{locale}": " > ".join(names) for locale, names in p.category_translations.items()
                        },
                    }
                )
