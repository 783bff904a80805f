"""A Chinese shopper reads the catalog's Chinese names everywhere: the card, lists, the cart, the checkout
summary, the order and category buttons; an English shopper keeps the English names (the real engine,
the real embedded NLU, SQLite and PostgreSQL)."""

from __future__ import annotations

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import CartSummary, OrderStatus, ProductCard, ProductList
from domain import commands as c
from domain.commands import SYSTEM
from nlu.catalog_terms import CatalogTerms
from nlu.embedded import EmbeddedEngine
from tests.integration.bots.conftest import NLU_CACHE, Chat, make_engine
from tests.integration.test_catalog_translations import translate_small_shop
from tests.support.shopdata import SmallShop


async def add_red_shoes(chat: Chat) -> None:
    await chat.say("我想买红色的鞋")
    card = chat.last[0]
    assert isinstance(card, ProductCard) and card.name == "Stride 女款轻量跑鞋", chat.kinds()
    await chat.press("加入购物车")


async def test_a_chinese_shoppers_card_cart_checkout_and_order_show_the_chinese_names(
    small: SmallShop, engine: ConversationEngine
) -> None:
    await translate_small_shop(small)
    chat = Chat(engine, locale="zh-CN")
    await add_red_shoes(chat)
    assert "Stride 女款轻量跑鞋 (红色 / 42)" in chat.text
    await chat.say("查看购物车")
    cart = chat.last[0]
    assert isinstance(cart, CartSummary) and [line.name for line in cart.lines] == ["Stride 女款轻量跑鞋 (红色 / 42)"]
    await chat.say("结账")
    for answer in ("张三", "人民路1号", "上海", "中国", "200000"):
        await chat.say(answer)
    await chat.press("标准配送")
    assert "1 x Stride 女款轻量跑鞋 (红色 / 42)" in chat.text and "Running" not in chat.text
    await chat.press("下单并支付")
    await chat.say("我的订单")
    await chat.press("#1")
    status = next(r for r in chat.last if isinstance(r, OrderStatus))
    assert status.lines == ("1 x Stride 女款轻量跑鞋 (红色 / 42)",)


async def test_a_chinese_name_typed_finds_the_product_and_a_chinese_shopper_may_name_it_in_english(
    small: SmallShop, engine: ConversationEngine
) -> None:
    await translate_small_shop(small)
    chat = Chat(engine, locale="zh-CN")
    await chat.say("陶瓷马克杯")
    card = chat.last[0]
    assert isinstance(card, ProductCard) and card.name == "Hearth 陶瓷马克杯", chat.text
    await chat.say("ceramic mug")
    card = chat.last[0]
    assert isinstance(card, ProductCard) and card.name == "Hearth 陶瓷马克杯", chat.text


async def test_category_buttons_and_lists_are_named_in_chinese(small: SmallShop, engine: ConversationEngine) -> None:
    await translate_small_shop(small)
    await small.shop.bus.handle(
        c.UpsertProduct(
            "Hearth Stoneware Mug",
            (c.VariantSpec("MUG-STN", 1500, {"color": "grey"}),),
            ("Home", "Mugs"),
            brand="Hearth",
            translations={"zh_Hans": {"name": "Hearth 粗陶马克杯"}},
            category_translations={"zh_Hans": ("家居", "马克杯")},
            actor=SYSTEM,
        )
    )
    await small.shop.bus.handle(c.ReceiveStock("MUG-STN", "EAST", 5, actor=SYSTEM))
    chat = Chat(engine, locale="zh-CN")
    await chat.say("逛逛")
    labels = [b.label for b in chat.buttons()]
    assert "鞋靴 (1)" in labels and "家居 (2)" in labels, labels
    await chat.press("家居")
    await chat.press("马克杯")
    listing = next(r for r in chat.last if isinstance(r, ProductList))
    assert sorted(item.name for item in listing.items) == ["Hearth 粗陶马克杯", "Hearth 陶瓷马克杯"]


async def test_an_english_shopper_keeps_the_english_names(small: SmallShop, engine: ConversationEngine) -> None:
    await translate_small_shop(small)
    chat = Chat(engine)
    await chat.say("red shoes")
    card = chat.last[0]
    assert isinstance(card, ProductCard) and card.name == "Stride Running Shoes"
    await chat.press("Add to cart")
    await chat.press("View cart")
    cart = chat.last[0]
    assert isinstance(cart, CartSummary) and [line.name for line in cart.lines] == ["Stride Running Shoes (red / 42)"]


async def test_a_chinese_shopper_removes_a_line_named_by_the_nlus_english_word(
    small: SmallShop, engine: ConversationEngine
) -> None:
    await translate_small_shop(small)
    chat = Chat(engine, locale="zh-CN")
    await add_red_shoes(chat)
    await chat.say("杯子")
    await chat.press("加入购物车")
    await chat.say("把鞋子删掉")
    assert "Stride 女款轻量跑鞋" in chat.text.split("\n")[0], chat.text
    cart = chat.last[-1]
    assert isinstance(cart, CartSummary) and [line.name for line in cart.lines] == ["Hearth 陶瓷马克杯 (白色)"]


async def test_the_nlu_learns_the_catalogs_chinese_names_so_a_typed_name_opens_its_product(
    small: SmallShop,
) -> None:
    await translate_small_shop(small)
    now = [0.0]
    nlu = CatalogTerms(
        EmbeddedEngine.load(cache_dir=NLU_CACHE), small.shop.views, refresh_seconds=60, now=lambda: now[0]
    )
    parsed = await nlu.parse("我想买女款轻量跑鞋", "zh")
    assert ("product", "女款轻量跑鞋") in [(e.entity, e.value) for e in parsed.entities], parsed
    chat = Chat(make_engine(small.shop, nlu), locale="zh-CN")
    await chat.say("女款轻量跑鞋")
    card = chat.last[0]
    assert isinstance(card, ProductCard) and card.name == "Stride 女款轻量跑鞋", chat.text

    await small.shop.bus.handle(c.ArchiveProduct("stride-running-shoes", actor=SYSTEM))
    now[0] += 61  # the next parse reads the catalog again: a name no longer sold is forgotten
    parsed = await nlu.parse("我想买女款轻量跑鞋", "zh")
    assert ("product", "女款轻量跑鞋") not in [(e.entity, e.value) for e in parsed.entities]


async def test_a_red_running_shoe_in_chinese_still_finds_the_red_shoes(
    small: SmallShop, engine: ConversationEngine
) -> None:
    await translate_small_shop(small)
    chat = Chat(engine, locale="zh-CN")
    await chat.say("红色跑鞋")
    card = chat.last[0]
    assert isinstance(card, ProductCard) and card.name == "Stride 女款轻量跑鞋", chat.text
    assert "已选：红色" in chat.text
