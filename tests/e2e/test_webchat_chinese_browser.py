"""The web chat page speaks the shopper's language: header, hint, Send, the lang attribute and the address
form's examples (a real headless Chromium on the real app, as in test_webchat_browser)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from chatshop.bootstrap import Shop
from tests.e2e.test_webchat_browser import ARGS, PHONE, served  # noqa: F401 (the served fixture)
from tests.support.services import chromium_path

pytestmark = pytest.mark.slow


async def say(page: Page, text: str) -> None:
    await page.locator("#input").fill(text)
    await page.locator("#send").click()


async def test_a_chinese_browser_gets_a_chinese_page_and_chinese_address_examples(
    served: tuple[str, Shop],  # noqa: F811
) -> None:
    base, _shop = served
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        page = await (await browser.new_context(viewport=PHONE, locale="zh-CN")).new_page()
        await page.goto(f"{base}/chat")
        await expect(page.locator("#log")).to_contain_text("浏览分类")
        assert await page.evaluate("document.documentElement.lang") == "zh-CN"
        await expect(page.locator("header h1")).to_have_text("购物助手")
        await expect(page.locator("#send")).to_have_text("发送")
        await expect(page.locator("#input")).to_have_attribute("placeholder", "输入消息…")
        await say(page, "我想买红色的鞋")
        await page.locator("#log").get_by_role("button", name="加入购物车").last.click()
        await expect(page.locator("#log")).to_contain_text("已将 1 件")
        await say(page, "结账")
        await expect(page.locator("#input")).to_have_attribute("placeholder", "张三")
        await browser.close()


async def test_an_english_browser_turns_chinese_when_the_shopper_writes_chinese(
    served: tuple[str, Shop],  # noqa: F811
    tmp_path: Path,
) -> None:
    base, _shop = served
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        page = await (await browser.new_context(viewport=PHONE, locale="en-US")).new_page()
        await page.goto(f"{base}/chat")
        await expect(page.locator("#log")).to_contain_text("Browse categories")
        await expect(page.locator("header h1")).to_have_text("Shop assistant")
        assert await page.evaluate("document.documentElement.lang") == "en"
        await say(page, "我想买红色的鞋")
        await expect(page.locator("#send")).to_have_text("发送")
        assert await page.evaluate("document.documentElement.lang") == "zh-CN"
        # Answered (so it is in the history) before the reload; a reload while the answer is on its way
        # would leave the message unsaid.
        await expect(page.locator("[data-kind=product_card]")).to_have_count(1, timeout=15_000)
        await page.reload()  # the page comes back in the chat's language, from its history
        await expect(page.locator("#log")).to_contain_text("我想买红色的鞋")
        await expect(page.locator("header h1")).to_have_text("购物助手")
        await browser.close()
