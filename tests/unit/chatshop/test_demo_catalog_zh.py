"""The demo catalog speaks Chinese: every product and category has a Chinese name, every product a Chinese
description, all of them valid translations, and the generator still makes the same shop."""

from __future__ import annotations

import re

from chatshop.demo_catalog import demo_products
from domain.model.catalog import validate_translations

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_demo_product_and_category_has_a_chinese_name_and_description() -> None:
    products = demo_products()
    assert len(products) == 218 and products[0].name == "Stride Running Shoes"  # the same shop as before
    for product in products:
        texts = product.translations["zh_Hans"]
        assert validate_translations(product.translations, ("name", "description")) == product.translations
        assert texts["name"].startswith(product.brand + " ") and HAN.search(texts["name"]), texts
        assert texts["description"].startswith(texts["name"]) and texts["description"].endswith("。")
        path = product.category_translations["zh_Hans"]
        assert len(path) == len(product.category_path) and all(HAN.search(name) for name in path)
    assert len({p.translations["zh_Hans"]["name"] for p in products}) == len(products)  # no two alike


def test_the_first_running_shoes_read_naturally_in_chinese() -> None:
    shoes = demo_products()[0]
    assert shoes.translations == {
        "zh_Hans": {"name": "Stride 轻量跑鞋", "description": "Stride 轻量跑鞋，材质：透气网面。"}
    }
    assert shoes.category_translations == {"zh_Hans": ("鞋靴",)}
