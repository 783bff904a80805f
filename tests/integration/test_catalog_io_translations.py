"""Catalog import/export carries translations: name_zh_Hans / description_zh_Hans / category_zh_Hans CSV
columns and a JSON ``translations`` object; a language the shop doesn't know is refused by line or header."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from chatshop.catalog_io import export_catalog, import_catalog
from domain.errors import DomainError
from tests.integration.test_catalog_translations import translate_small_shop
from tests.support.shopdata import SmallShop

CSV = """product_slug,name,category,description,sku,price,options,name_zh_Hans,description_zh-Hans,category_zh
hoodie,Cloud Hoodie,Clothing > Hoodies,Soft.,HD-RED-M,49.00,color=red;size=M,云朵连帽卫衣,柔软亲肤。,服装 > 卫衣
hoodie,Cloud Hoodie,Clothing > Hoodies,Soft.,HD-RED-L,49.00,color=red;size=L,云朵连帽卫衣,柔软亲肤。,服装 > 卫衣
cap,Plain Cap,Clothing > Hats,,CAP-1,12.00,,,,服装
"""


async def test_csv_translation_columns_are_imported_in_any_spelling_of_the_language(
    small: SmallShop, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(CSV, encoding="utf-8")
    report = await import_catalog(small.shop, path)
    assert report.products == 1 and report.variants == 2
    assert [(p.line, p.reason) for p in report.problems] == [
        (4, "Plain Cap: The zh_Hans category names (服装) must name each of Clothing > Hats.")
    ]
    hoodie = await small.shop.views.product(slug="hoodie", locale="zh")
    assert hoodie is not None
    assert (hoodie.name, hoodie.description, hoodie.category_path) == ("云朵连帽卫衣", "柔软亲肤。", ("服装", "卫衣"))


async def test_export_then_import_round_trips_translations_in_csv_and_json(small: SmallShop, tmp_path: Path) -> None:
    await translate_small_shop(small)
    before = await small.shop.views.product(slug="stride-running-shoes", locale="zh")
    assert before is not None and before.translations
    for suffix in ("csv", "json"):
        path = tmp_path / f"out.{suffix}"
        assert await export_catalog(small.shop, path) == 2
        if suffix == "json":
            shoes = next(p for p in json.loads(path.read_text(encoding="utf-8")) if p["slug"] == before.slug)
            assert shoes["translations"]["zh_Hans"]["category"] == ["鞋靴"]
        else:
            with path.open(encoding="utf-8") as handle:
                rows = list(csv.DictReader(handle))
            assert {r["name_zh_Hans"] for r in rows if r["product_slug"] == before.slug} == {"Stride 女款轻量跑鞋"}
        report = await import_catalog(small.shop, path)
        assert report.problems == [] and report.products == 2
        assert await small.shop.views.product(slug="stride-running-shoes", locale="zh") == before


async def test_a_csv_column_in_an_unknown_language_is_refused_naming_the_column(
    small: SmallShop, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("name,sku,price,name_fr\nBonnet,BN-1,5.00,Bonnet\n", encoding="utf-8")
    with pytest.raises(DomainError) as refused:
        await import_catalog(small.shop, path)
    assert "catalog.csv: column name_fr: 'fr' is not a language catalog text can be translated into" in (
        refused.value.message
    )


async def test_json_translations_that_are_too_long_or_malformed_are_reported_by_product(
    small: SmallShop, tmp_path: Path
) -> None:
    path = tmp_path / "catalog.json"
    products = [
        {
            "name": "Long",
            "variants": [{"sku": "LONG-1", "price": "1.00"}],
            "translations": {"zh": {"name": "长" * 201}},
        },
        {"name": "Odd", "variants": [{"sku": "ODD-1", "price": "1.00"}], "translations": ["zh"]},
        {"name": "Fine", "variants": [{"sku": "FINE-1", "price": "1.00"}], "translations": {"zh": {"name": "好"}}},
    ]
    path.write_text(json.dumps(products, ensure_ascii=False), encoding="utf-8")
    report = await import_catalog(small.shop, path)
    assert report.products == 1
    reasons = {p.line: p.reason for p in report.problems}
    assert "The zh_Hans name is 201 characters long; at most 200 are allowed." in reasons[1]
    assert "translations must look like" in reasons[2]
    fine = await small.shop.views.product(slug="fine", locale="zh")
    assert fine is not None and fine.name == "好"
