"""Catalog commands."""

from __future__ import annotations

from collections.abc import Mapping

from domain import commands as c
from domain.errors import NotFound, ValidationFailed
from domain.model import Category, Product, ProductStatus, Variant
from domain.model.catalog import slugify
from domain.model.staff import Permission
from domain.service_layer.context import Context
from domain.service_layer.unit_of_work import UnitOfWork


async def ensure_category_path(
    uow: UnitOfWork,
    path: tuple[str, ...],
    translations: Mapping[str, tuple[str, ...]] | None = None,
    renamed: list[int] | None = None,
) -> Category | None:
    """Find or create each category along ``path`` (e.g. ("Clothing", "Hoodies")); ``translations`` names
    them in other languages, level by level (``{"zh_Hans": ("服装", "卫衣")}``). The ids of existing
    categories whose translated names changed are added to ``renamed``."""
    translations = dict(translations or {})
    for locale, names in translations.items():
        if len(names) != len(path):
            levels = " > ".join(path) or "no category"
            raise ValidationFailed(f"The {locale} category names ({' > '.join(names)}) must name each of {levels}.")
    parent: Category | None = None
    for level, name in enumerate(path):
        slug = slugify(name) if parent is None else f"{parent.slug}-{slugify(name)}"
        category = await uow.catalog.category_by_slug(slug)
        if category is None:
            category = await uow.catalog.add_category(Category(name, slug, parent.id if parent else None))
        if translations:
            before = category.translations
            category.translate({locale: {"name": names[level]} for locale, names in translations.items()})
            if category.translations != before and category.id is not None and renamed is not None:
                renamed.append(category.id)
        parent = category
    return parent


async def refresh_search_text(uow: UnitOfWork, product: Product) -> None:
    """The product's search text from its names and its category path's names, in every language."""
    lineage = await uow.catalog.category_lineage(product.category_id) if product.category_id else []
    product.refresh_search_text(
        [name for cat in lineage for name in (cat.name, *(t["name"] for t in cat.translations.values()))]
    )


async def upsert_product(cmd: c.UpsertProduct, ctx: Context) -> int:
    cmd.actor.require(Permission.MANAGE_CATALOG)
    if not cmd.variants:
        raise ValidationFailed(f"{cmd.name} needs at least one variant (SKU and price).")
    async with ctx.uow() as uow:
        renamed: list[int] = []
        category = await ensure_category_path(uow, cmd.category_path, cmd.category_translations, renamed)
        slug = cmd.slug or slugify(cmd.name)
        product = await uow.catalog.product_by_slug(slug)
        if product is None:
            product = Product(cmd.name, slug=slug)
            for spec in cmd.variants:
                owner = await uow.catalog.variant_by_sku(spec.sku)
                if owner is not None:
                    raise ValidationFailed(f"SKU {owner.sku} already belongs to another product.")
        product.name = cmd.name.strip()
        product.description = cmd.description
        product.brand = cmd.brand
        product.category_id = category.id if category else None
        product.attributes = dict(cmd.attributes)
        product.images = list(cmd.images)
        product.translate(cmd.translations)
        product.status = ProductStatus.ACTIVE if cmd.active else ProductStatus.ARCHIVED
        for spec in cmd.variants:
            existing = next((v for v in product.variants if v.sku == spec.sku.strip().upper()), None)
            if existing is None:
                other = await uow.catalog.variant_by_sku(spec.sku)
                if other is not None and other.product_id != product.id:
                    raise ValidationFailed(f"SKU {other.sku} already belongs to another product.")
                product.add_variant(
                    Variant(spec.sku, spec.price, ctx.config.currency, spec.options, spec.low_stock_threshold)
                )
            else:
                if spec.price < 0:
                    raise ValidationFailed("A price can't be negative.")
                existing.price = spec.price
                existing.options = dict(spec.options)
                existing.low_stock_threshold = spec.low_stock_threshold
                existing.active = True
        product.updated_at = ctx.now()
        await refresh_search_text(uow, product)
        if renamed:  # the products already filed there are found by the new names too
            for neighbour in await uow.catalog.products_in_categories(renamed):
                if neighbour is not product:
                    await refresh_search_text(uow, neighbour)
        if product.id is None:
            await uow.catalog.add_product(product)
        await uow.flush()
        await uow.commit()
        assert product.id is not None
        return product.id


async def archive_product(cmd: c.ArchiveProduct, ctx: Context) -> None:
    cmd.actor.require(Permission.MANAGE_CATALOG)
    async with ctx.uow() as uow:
        product = await uow.catalog.product_by_slug(cmd.slug)
        if product is None:
            raise NotFound(f"No product {cmd.slug}.")
        product.archive()
        product.updated_at = ctx.now()
        await uow.commit()
