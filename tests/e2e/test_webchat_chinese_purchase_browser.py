"""A Chinese shopper buys running shoes on a phone-sized web chat with taps only (typing just the search and
the address), every button checked to be on screen and inside its card before it is pressed, as in
test_webchat_browser's English purchase; the page and every answer are Chinese at each step."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Locator, async_playwright, expect

from chatshop.bootstrap import Shop
from tests.e2e.person import Person
from tests.e2e.test_webchat_browser import (  # noqa: F401 (the demo fixture)
    ARGS,
    GALLERY,
    UPDATE_SCREENSHOT,
    choose,
    demo,
    open_chat,
)
from tests.support.services import chromium_path

pytestmark = pytest.mark.slow
CJK = re.compile(r"[\u3400-\u9fff]")
CHINESE = {
    "choose_size": "请选择尺码",
    "sold_out": "已售罄",
    "your_choice": "已选：{colour} / {size}",
    "add": "加入购物车",
}


async def chinese_page(person: Person) -> None:
    """The page's own words are Chinese: lang, title, header, hint, Send."""
    page = person.page
    assert await page.evaluate("document.documentElement.lang") == "zh-CN"
    assert await page.title() == "商店聊天"
    await expect(person.find("header h1")).to_have_text("购物助手")
    await expect(person.find("#send")).to_have_text("发送")


async def chinese(person: Person, node: Locator, what: str) -> None:
    """A message reads as Chinese: it has Chinese, and no English words besides the catalog's own text
    (product names and descriptions, translated per locale by the catalog, not by the chat), amounts, codes."""
    catalog: list[str] = await person.log.evaluate(
        "(log) => Array.from(log.querySelectorAll('h3, .card p')).map((n) => n.textContent)"
    )
    text = await node.inner_text()
    assert CJK.search(text), f"{what} has no Chinese: {text!r}"
    rest = text
    for name in sorted(catalog, key=len, reverse=True):
        rest = rest.replace(name, "")
    english = re.findall(r"[A-Za-z]{3,}", re.sub(r"USD|WELCOME\d*", "", rest))
    assert not english, f"{what} has English words {english}: {text!r}"


async def test_a_person_buys_shoes_in_chinese_on_a_phone_with_taps_only(
    demo: tuple[str, Shop],  # noqa: F811
    tmp_path: Path,
) -> None:
    base, shop = demo
    shots = GALLERY / "zh" if UPDATE_SCREENSHOT else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        person = await open_chat(browser, base, "phone", shots, locale="zh-CN")
        page, log = person.page, person.log

        async def answered(text: str, step: str | None) -> None:
            try:
                await expect(log).to_contain_text(text, timeout=15_000)
            except AssertionError as missing:
                await person.shot(f"failed-waiting-for-{step}")
                raise AssertionError(f"{missing}\npage errors: {page.errors}") from missing  # type: ignore[attr-defined]
            await expect(person.find(".typing")).to_have_count(0)
            await person.newest_in_view()
            await person.nothing_clipped()
            await chinese_page(person)
            await chinese(person, person.find("#log > *").last, step or text)
            if step:
                await person.shot(step)

        await answered("浏览分类", "greeting")
        await person.type("红色跑鞋")
        await expect(person.find("[data-kind=product_list], [data-kind=product_card]").last).to_be_visible()
        if await person.find("[data-kind=product_card]").count() == 0:  # a list first: open the shoes
            await answered("Running Shoes", "search-results")
            await person.press(person.find("[data-kind=product_list]").last, "Running Shoes")
        await answered("请选择", "product-card")
        card = person.find("[data-kind=product_card]").last
        await expect(card.get_by_role("button", name="加入购物车")).to_have_count(0)  # nothing chosen for them
        if await card.get_by_role("button", name="红色", pressed=True).count() == 0:
            await choose(person, answered, "红色", "42", CHINESE)
        else:  # the search chose red: the sizes of red are there already
            sizes = card.locator("[data-kind=pickers] .picker").nth(1)
            await person.press(sizes, "42")
            await answered("已选：红色 / 42", "options-chosen")
        price = await card.locator(".price").inner_text()
        name = await card.locator("h3").inner_text()
        await person.press(card, "加入购物车")
        await answered("已将 1 件", "added-to-cart")
        await person.press(person.find("#log > *").last, "查看购物车")
        await answered(price, "cart")
        cart = person.find("[data-kind=cart]").last
        await expect(cart).to_contain_text(name)
        # + and − change the cart where it is: one cart, nothing said in the shopper's name.
        bubbles = await person.find(".msg.user").count()
        await person.press(cart, "+")
        await expect(cart.locator(".qty")).to_contain_text("2")
        await person.press(cart, "-")
        await expect(cart.locator(".qty")).to_contain_text("1")
        await expect(cart).to_contain_text(price)
        await expect(person.find("[data-kind=cart]")).to_have_count(1)
        await expect(person.find(".msg.user")).to_have_count(bubbles)
        await person.press(person.find("[data-kind=cart]").last, "去结账")
        await expect(person.find("#input")).to_have_attribute("placeholder", "张三")
        for answer, next_prompt in [("张三", "街道和门牌号"), ("人民路1号", "城市"), ("上海", "国家或地区"),
                                    ("中国", "邮政编码"), ("200000", "选择配送方式")]:  # fmt: skip
            await person.type(answer)
            await answered(next_prompt, "address" if answer == "张三" else None)
        await person.press(person.find("#log > *").last, "标准配送")
        await answered("请核对您的订单", "order-summary")
        await person.press(person.find("#log > *").last, f"下单并支付 {price}")
        await answered("已为您保留", "payment-link")
        pay_link = person.find("[data-kind=payment_link] a").last
        await expect(pay_link).to_contain_text("支付")
        async with page.context.expect_page() as popup_info:
            await person.tap(pay_link, "the payment link")
        sandbox = Person(await popup_info.value, shots, "phone")
        await sandbox.page.wait_for_load_state()
        assert CJK.search(await sandbox.page.locator("body").inner_text()), "the pay page is not Chinese"
        await sandbox.tap(sandbox.page.locator("#pay"), "Pay on the sandbox page")
        await expect(sandbox.page.locator("#state")).to_have_attribute("data-status", "paid")
        await sandbox.page.close()
        await answered("已收到订单 #3 的付款", "paid")
        # A reload brings the conversation back as it was drawn: one product card (picks redrew it), one cart
        # (+ and − redrew it), in Chinese.
        await page.reload()
        await expect(log).to_contain_text("已收到订单 #3 的付款")
        await expect(person.find("[data-kind=product_card]")).to_have_count(1)
        await expect(person.find("[data-kind=cart]")).to_have_count(1)
        await expect(person.find("[data-kind=product_card]")).to_contain_text("已选：红色 / 42")
        await chinese_page(person)
        await person.nothing_clipped()
        # The widget's own words are Chinese too: a paste over the limit is refused, visibly, in Chinese.
        await person.tap(person.find("#input"), "the message box")
        await page.keyboard.insert_text("好" * 2001)
        await expect(person.find("#note")).to_have_text("您的消息有 2001 个字符，上限是 2000 个。请缩短一些。")
        order = await shop.views.order(3)
        assert order is not None and order.status == "paid"
        assert order.shipping_address["country"] == "CN"
        await browser.close()
