"""Catalog text per locale: products and categories carry Chinese names, views read them in the shopper's
language, search finds products by either language (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain.commands import SYSTEM
from domain.errors import ValidationFailed
from domain.model.catalog import SearchQuery
from domain.model.staff import Actor
from tests.support.shopdata import SmallShop

SHOES_ZH = {"zh_Hans": {"name": "Stride 女款轻量跑鞋", "description": "透气网面，适合日常慢跑。"}}


async def translate_small_shop(small: SmallShop) -> None:
    """The small shop's products again, now with Chinese names (an upsert by slug changes only the text)."""
    await small.shop.bus.handle(
        c.UpsertProduct(
            "Stride Running Shoes",
            (
                c.VariantSpec("SHOE-RED-42", 8000, {"color": "red", "size": "42"}),
                c.VariantSpec("SHOE-BLU-42", 8000, {"color": "blue", "size": "42"}),
            ),
            ("Shoes",),
            brand="Stride",
            attributes={"material": "mesh"},
            translations=SHOES_ZH,
            category_translations={"zh_Hans": ("鞋靴",)},
            actor=SYSTEM,
        )
    )
    await small.shop.bus.handle(
        c.UpsertProduct(
            "Hearth Ceramic Mug",
            (c.VariantSpec("MUG-WHT", 1200, {"color": "white"}),),
            ("Home", "Mugs"),
            brand="Hearth",
            translations={"zh": {"name": "Hearth 陶瓷马克杯"}},  # "zh" is read as zh_Hans
            category_translations={"zh-Hans": ("家居", "马克杯")},
            actor=SYSTEM,
        )
    )


async def test_a_chinese_shopper_searching_by_a_chinese_name_gets_the_product_named_in_chinese(
    small: SmallShop,
) -> None:
    await translate_small_shop(small)
    page = await small.shop.views.search(SearchQuery(text="轻量跑鞋", locale="zh"))
    assert [(p.name, p.category) for p in page.items] == [("Stride 女款轻量跑鞋", "鞋靴")]
    assert page.total == 1


async def test_english_search_still_finds_the_english_name_and_a_chinese_shopper_may_type_english(
    small: SmallShop,
) -> None:
    await translate_small_shop(small)
    english = await small.shop.views.search(SearchQuery(text="running shoes"))
    assert [(p.name, p.category) for p in english.items] == [("Stride Running Shoes", "Shoes")]
    typed_english = await small.shop.views.search(SearchQuery(text="ceramic mug", locale="zh"))
    assert [p.name for p in typed_english.items] == ["Hearth 陶瓷马克杯"]


async def test_search_finds_a_product_by_its_chinese_description_and_category_name(small: SmallShop) -> None:
    await translate_small_shop(small)
    assert [p.slug for p in (await small.shop.views.search(SearchQuery(text="透气网面", locale="zh"))).items] == [
        "stride-running-shoes"
    ]
    assert [p.slug for p in (await small.shop.views.search(SearchQuery(text="马克杯"))).items] == ["hearth-ceramic-mug"]


async def test_a_product_without_a_translation_falls_back_to_its_default_name(small: SmallShop) -> None:
    page = await small.shop.views.search(SearchQuery(text="mug", locale="zh"))
    assert [p.name for p in page.items] == ["Hearth Ceramic Mug"]
    detail = await small.shop.views.product(slug="hearth-ceramic-mug", locale="zh")
    assert detail is not None and detail.name == "Hearth Ceramic Mug" and detail.category_path == ("Home", "Mugs")


async def test_product_categories_cart_and_order_views_read_in_the_shoppers_language(small: SmallShop) -> None:
    await translate_small_shop(small)
    views = small.shop.views
    detail = await views.product(slug="stride-running-shoes", locale="zh")
    assert detail is not None
    assert (detail.name, detail.description, detail.category_path) == (
        "Stride 女款轻量跑鞋",
        "透气网面，适合日常慢跑。",
        ("鞋靴",),
    )
    assert detail.translations == SHOES_ZH and detail.category_translations == {"zh_Hans": ("鞋靴",)}
    english = await views.product(slug="stride-running-shoes", locale="en")
    assert english is not None and (english.name, english.category_path) == ("Stride Running Shoes", ("Shoes",))
    names = {n.slug: n.name for n in await views.categories("zh")}
    assert names == {"shoes": "鞋靴", "home": "家居", "home-mugs": "马克杯"}
    assert {n.slug: n.name for n in await views.categories()}["home-mugs"] == "Mugs"

    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 1, actor=Actor.shopper(customer)))
    assert [line.name for line in (await views.cart(customer, "zh")).lines] == ["Stride 女款轻量跑鞋"]
    assert [line.name for line in (await views.cart(customer)).lines] == ["Stride Running Shoes"]


async def test_the_first_page_carries_the_count_and_a_page_past_the_end_still_counts(small: SmallShop) -> None:
    views = small.shop.views
    first = await views.search(SearchQuery(limit=1))
    assert first.total == 2 and len(first.items) == 1 and first.has_more
    beyond = await views.search(SearchQuery(limit=1, offset=5))
    assert beyond.items == () and beyond.total == 2
    assert (await views.search(SearchQuery(text="no-such-thing"))).total == 0


@pytest.mark.parametrize(
    ("translations", "category_translations", "message"),
    [
        ({"fr": {"name": "Chaussures"}}, {}, "'fr' is not a language catalog text can be translated into: use zh_Hans"),
        ({"zh_Hans": {"name": "鞋" * 201}}, {}, "The zh_Hans name is 201 characters long; at most 200 are allowed."),
        ({"zh_Hans": {"description": "长" * 4001}}, {}, "The zh_Hans description is 4001 characters long"),
        ({"zh_Hans": {"title": "跑鞋"}}, {}, "A zh_Hans translation can hold name and description, not 'title'."),
        ({}, {"zh_Hans": ("鞋", "跑鞋")}, "The zh_Hans category names (鞋 > 跑鞋) must name each of Shoes."),
        ({}, {"xx": ("鞋",)}, "'xx' is not a language catalog text can be translated into"),
    ],
)
async def test_a_bad_locale_or_an_over_long_translation_is_refused_with_a_clear_message(
    small: SmallShop,
    translations: dict[str, dict[str, str]],
    category_translations: dict[str, tuple[str, ...]],
    message: str,
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        await small.shop.bus.handle(
            c.UpsertProduct(
                "Stride Running Shoes",
                (c.VariantSpec("SHOE-RED-42", 8000, {"color": "red", "size": "42"}),),
                ("Shoes",),
                translations=translations,
                category_translations=category_translations,
                actor=SYSTEM,
            )
        )
    assert message in refused.value.message
    detail = await small.shop.views.product(slug="stride-running-shoes", locale="zh")
    assert detail is not None and detail.name == "Stride Running Shoes"  # nothing half-written


async def test_the_vocabulary_holds_chinese_product_and_category_names_for_the_nlu(small: SmallShop) -> None:
    await translate_small_shop(small)
    vocabulary = await small.shop.views.vocabulary()
    assert vocabulary.products == ["Hearth Ceramic Mug", "Stride Running Shoes"]  # what lookup tables hold
    assert vocabulary.translated_products == ["Hearth 陶瓷马克杯", "Stride 女款轻量跑鞋"]
    assert vocabulary.categories == ["Home", "Mugs", "Shoes"]
    assert vocabulary.translated_categories == ["家居", "鞋靴", "马克杯"]  # by code point


async def test_naming_a_category_in_chinese_makes_the_products_already_in_it_findable_by_that_name(
    small: SmallShop,
) -> None:
    views = small.shop.views
    assert (await views.search(SearchQuery(text="马克杯"))).total == 0
    await small.shop.bus.handle(
        c.UpsertProduct(
            "Hearth Travel Mug",
            (c.VariantSpec("MUG-TRV", 1800, {"color": "black"}),),
            ("Home", "Mugs"),
            brand="Hearth",
            category_translations={"zh_Hans": ("家居", "马克杯")},
            actor=SYSTEM,
        )
    )
    found = await views.search(SearchQuery(text="马克杯", locale="zh"))
    assert sorted(p.slug for p in found.items) == ["hearth-ceramic-mug", "hearth-travel-mug"]
    assert (await views.search(SearchQuery(text="家居"))).total == 2  # the parent's name reaches them too
