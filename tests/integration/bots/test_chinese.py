"""A Chinese shopper reads Chinese all the way through: domain errors, countries, plurals, option values,
shipping methods and coupon reasons (the real engine, the real embedded NLU, SQLite and PostgreSQL)."""

from __future__ import annotations

import re

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import FormPrompt, PaymentLink, ProductCard
from domain import commands as c
from tests.integration.bots.conftest import Chat
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop


async def shoes_in_cart(chat: Chat) -> None:
    await chat.say("我想买红色的鞋")
    await chat.press("加入购物车")
    await chat.say("结账")


def latin_words(text: str) -> list[str]:
    """English words left in a Chinese reply (codes, SKUs, amounts and brand names aside)."""
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in {"USD", "Stride", "Running", "Shoes", "SHOE"}]


async def test_chinese_address_accepts_the_country_by_its_chinese_name_and_explains_mistakes_in_chinese(
    small: SmallShop, engine: ConversationEngine
) -> None:
    chat = Chat(engine, locale="zh-CN")
    await shoes_in_cart(chat)
    await chat.say("张")
    assert "请填写收件人的全名" in chat.text and latin_words(chat.text) == []
    await chat.say("张三")
    await chat.say("人民路1号")
    await chat.say("上海")
    await chat.say("纳尼亚")
    assert "我们不认识 “纳尼亚” 这个国家或地区" in chat.text and latin_words(chat.text) == []
    await chat.say("中国")
    step = chat.last[-1]
    assert isinstance(step, FormPrompt) and step.field == "postal_code"
    await chat.say("ABC")
    assert "“ABC” 不是中国的有效邮政编码" in chat.text and latin_words(chat.text) == ["ABC"]
    await chat.say("200000")
    assert "选择配送方式" in chat.text


async def test_english_address_accepts_country_names_and_codes(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await chat.say("red shoes")
    await chat.press("Add to cart")
    await chat.press("Check out")
    for answer in ("Ann Shopper", "1 Main Street", "Springfield", "United States", "12345"):
        await chat.say(answer)
    await chat.press("Standard")
    assert "Ship to: Ann Shopper, 1 Main Street, 12345 Springfield, US" in chat.text


async def test_the_address_form_gives_chinese_examples_to_a_chinese_shopper(
    small: SmallShop, engine: ConversationEngine
) -> None:
    chat = Chat(engine, locale="zh-CN")
    await shoes_in_cart(chat)
    hints = []
    for answer in ("张三", "人民路1号", "上海", "中国"):
        step = chat.last[-1]
        assert isinstance(step, FormPrompt)
        hints.append(step.placeholder)
        await chat.say(answer)
    assert hints == ["张三", "人民路1号", "上海", "中国"]


async def test_chinese_shopper_sees_colours_and_shipping_methods_in_chinese_with_days_once(
    small: SmallShop, engine: ConversationEngine
) -> None:
    chat = Chat(engine, locale="zh-CN")
    await chat.say("我想买鞋")
    card = chat.last[0]
    assert isinstance(card, ProductCard)
    assert [(p.name, [v.label for v in p.values]) for p in card.pickers] == [("颜色", ["红色", "蓝色"])]
    await chat.press("红色")
    assert "已选：红色" in chat.text
    await chat.press("加入购物车")
    assert "Stride Running Shoes（红色 / 42）" in chat.text or "Stride Running Shoes (红色 / 42)" in chat.text
    await chat.say("结账")
    for answer in ("张三", "人民路1号", "Springfield", "美国", "12345"):
        await chat.say(answer)
    labels = [b.label for b in chat.buttons()]
    assert "标准配送 - 5.00 USD (2-5 天)" in labels and "快递 - 15.00 USD (2-5 天)" in labels
    await chat.press("标准配送")
    assert "运费（标准配送）" in chat.text and "张三, 人民路1号, 12345 Springfield, 美国" in chat.text


async def test_shipping_method_names_do_not_repeat_their_days(small: SmallShop, engine: ConversationEngine) -> None:
    await small.shop.bus.handle(
        c.CreateShippingMethod(
            "slow", "Economy (5-9 days)", 200, countries=("US",), min_days=5, max_days=9, actor=c.SYSTEM
        )
    )
    chat = Chat(engine)
    await chat.say("red shoes")
    await chat.press("Add to cart")
    await chat.press("Check out")
    for answer in ("Ann Shopper", "1 Main Street", "Springfield", "US", "12345"):
        await chat.say(answer)
    labels = [b.label for b in chat.buttons()]
    assert "Economy - 2.00 USD (5-9 days)" in labels


async def test_payment_link_says_how_long_in_the_shoppers_words_never_a_bare_utc_time(
    small: SmallShop, engine: ConversationEngine, clock: FakeClock
) -> None:
    chat = Chat(engine, locale="zh-CN")
    await shoes_in_cart(chat)
    for answer in ("张三", "人民路1号", "上海", "中国", "200000"):
        await chat.say(answer)
    await chat.press("标准配送")
    await chat.press("下单并支付")
    link = chat.last[0]
    assert isinstance(link, PaymentLink)
    assert link.expires_text == "支付链接和为您保留的商品将在 15 分钟后失效。"


async def test_payment_link_names_the_local_time_when_the_shopper_has_a_time_zone(
    small: SmallShop, engine: ConversationEngine
) -> None:
    chat = Chat(engine)
    await chat.say("red shoes")
    await chat.press("Add to cart")
    customer = 1  # the only customer: the shopper of this chat
    await small.shop.bus.handle(c.UpdateCustomer(customer, timezone="Asia/Shanghai", actor=c.SYSTEM))
    await chat.press("Check out")
    for answer in ("Ann Shopper", "1 Main Street", "Springfield", "US", "12345"):
        await chat.say(answer)
    await chat.press("Standard")
    await chat.press("Place order")
    link = chat.last[0]
    assert isinstance(link, PaymentLink)
    # The fake clock says 12:00 UTC; the link lives 15 minutes: 20:15 in Shanghai.
    assert link.expires_text == "The link and your reservation expire in 15 minutes (at 20:15)."


async def test_plurals_follow_the_count_in_english(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await chat.say("red shoes")
    await chat.press("Add to cart")
    await chat.press("View cart")
    assert "Your cart (1 item)" in chat.text
    await chat.press("Check out")
    for answer in ("Ann Shopper", "1 Main Street", "Springfield", "US", "12345"):
        await chat.say(answer)
    assert "Express - 15.00 USD (2-5 days)" in [b.label for b in chat.buttons()]


async def test_a_coupon_refused_gives_its_reason_in_chinese(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine, locale="zh-CN")
    await chat.say("杯子")
    await chat.press("加入购物车")
    await chat.press("查看购物车")
    await chat.press("使用优惠码")
    await chat.say("FIVEOFF")
    assert "优惠码 FIVEOFF 无法使用：订单小计需满 30.00 USD，还差 18.00 USD。" in chat.text
    await chat.press("换一个优惠码")
    await chat.say("SPRING24")
    assert "优惠码 SPRING24 无法使用：没有这个优惠码。" in chat.text


async def test_out_of_stock_at_add_to_cart_is_said_in_chinese(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine, locale="zh-CN")
    await chat.say("我想买红色的鞋")
    other = await small.customer("web-2", "Bo")
    await small.checkout(other, "SHOE-RED-42", 8)  # every red pair reserved by someone else meanwhile
    await chat.press("加入购物车")
    assert "抱歉：Stride Running Shoes (红色 / 42) 已售罄。" in chat.text


async def test_a_chinese_conversation_in_an_english_browser_stays_chinese_when_buttons_are_pressed(
    small: SmallShop, engine: ConversationEngine
) -> None:
    chat = Chat(engine, locale="en-US")
    await chat.say("我想买红色的鞋")
    await chat.press("加入购物车")
    assert "已将 1 件" in chat.text and "去结账" in [b.label for b in chat.buttons()]
    await chat.say("show my cart")  # typed English: the browser's language again
    assert chat.kinds() == ["cart"] and not re.search(r"[\u4e00-\u9fff]", chat.text)
