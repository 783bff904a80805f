"""A real browser (Debian's chromium, headless, phone-sized) on the payment pages: a declined card, another
try, the way back to the web chat, and the pages in Chinese fitting a 390 px wide screen."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from channels.webchat import server as webchat
from chatshop.bootstrap import Shop, build_shop
from chatshop.runtime import Runtime
from chatshop.settings import Settings
from chatshop.subscribers.channels import subscribe_webchat
from chatshop.web import create_app
from domain import commands as c
from domain.model.customers import Channel
from domain.model.staff import Actor
from nlu.embedded import EmbeddedEngine
from tests.integration.bots.conftest import NLU_CACHE, make_engine
from tests.support.services import chromium_path
from tests.support.shopdata import ADDRESS, SmallShop

pytestmark = pytest.mark.slow
PHONE = {"width": 390, "height": 844}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip
# Where the screenshots go when someone wants to look at them (CHATSHOP_SCREENSHOTS=dir); else tmp_path.
SHOTS = os.environ.get("CHATSHOP_SCREENSHOTS")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def served(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[tuple[str, Shop]]:
    """The real app with the web chat on a loopback port, the outbox running so notices reach the chat."""
    path = tmp_path / "shop.db"
    shutil.copy(sqlite_template, path)
    port = free_port()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", http_port=port, _env_file=None)  # type: ignore[call-arg]
    shop = build_shop(settings)
    await SmallShop(shop).build()
    engine = make_engine(shop, EmbeddedEngine.load(cache_dir=NLU_CACHE))

    def mount(app: web.Application, mounted: Shop) -> None:
        webchat.mount(app, mounted, engine=engine)
        subscribe_webchat(app, mounted)

    runner = web.AppRunner(create_app(shop, [mount], media_dir=tmp_path / "media"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    runtime = Runtime(shop, outbox_idle_seconds=0.1)
    await runtime.start()
    try:
        yield f"http://127.0.0.1:{port}", shop
    finally:
        await runtime.stop()
        await runner.cleanup()
        await shop.close()


def shot(tmp_path: Path, name: str) -> str:
    directory = Path(SHOTS) if SHOTS else tmp_path
    directory.mkdir(parents=True, exist_ok=True)
    return str(directory / name)


async def fits_the_phone(page: Any) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


async def test_shopper_is_declined_pays_with_another_card_and_goes_back_to_the_chat(
    served: tuple[str, Shop], tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    base, shop = served
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        page = await context.new_page()
        await page.goto(f"{base}/chat")
        log = page.locator("#log")
        await expect(log).to_contain_text("Browse categories")

        async def say(text: str) -> None:
            await page.fill("#input", text)
            await page.press("#input", "Enter")

        await say("show me red shoes")
        card = page.locator("[data-kind=product_card]").last
        await card.get_by_role("button", name="Add to cart").click()
        await expect(log).to_contain_text("Added 1 x Stride Running Shoes")
        await page.get_by_role("button", name="View cart").last.click()
        await page.locator("[data-kind=cart]").last.get_by_role("button", name="Check out").click()
        for answer, next_prompt in [("Ann Shopper", "Street"), ("1 Main Street", "City"), ("Springfield", "Country"),
                                    ("US", "Postal code"), ("12345", "How should we ship")]:  # fmt: skip
            await say(answer)
            await expect(log).to_contain_text(next_prompt)
        await page.get_by_role("button", name="Standard").last.click()
        await page.get_by_role("button", name="Place order").last.click()
        pay_link = page.locator("[data-kind=payment_link] a").last
        await expect(pay_link).to_contain_text("Pay 85.00 USD")
        async with context.expect_page() as popup_info:
            await pay_link.click()
        sandbox = await popup_info.value

        await expect(sandbox.locator("#expires")).to_have_text("The payment link expires in 15 minutes.")
        decline = sandbox.locator("#decline")
        await expect(decline).to_be_in_viewport()
        await decline.click()
        await expect(sandbox.locator("#declined")).to_contain_text("The card was declined")
        retry = sandbox.locator("#pay")
        await expect(retry).to_have_text("Pay 85.00 USD with another card")
        await expect(retry).to_be_in_viewport()
        await expect(sandbox.locator("#back")).to_be_visible()
        await fits_the_phone(sandbox)
        await sandbox.screenshot(path=shot(tmp_path, "pay-declined.png"), full_page=True)
        order = await shop.views.order(1)
        assert order is not None and order.status == "pending_payment"

        await retry.click()
        await expect(sandbox.locator("#state")).to_have_attribute("data-status", "paid")
        back = sandbox.locator("#back")
        await expect(back).to_have_text("Back to the chat")
        await expect(back).to_be_in_viewport()
        await back.click()
        await sandbox.wait_for_url(f"{base}/chat")
        await expect(sandbox.locator("#log")).to_contain_text("Payment received for order #1", timeout=15_000)
        order = await shop.views.order(1)
        assert order is not None and order.status == "paid" and order.captured == 8500
        await browser.close()


async def test_the_pages_in_chinese_fit_a_phone_and_show_every_row(served: tuple[str, Shop], tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    base, shop = served
    customer = int(await shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "web-zh", "Li", locale="zh")))
    await shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 1, actor=Actor.shopper(customer)))
    await shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 2, actor=Actor.shopper(customer)))
    await shop.bus.handle(c.ApplyCoupon(customer, "WELCOME10", actor=Actor.shopper(customer)))
    order_id = int(
        await shop.bus.handle(c.PlaceOrder(customer, ADDRESS, "express", "webchat", actor=Actor.shopper(customer)))
    )
    link = await shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        context = await browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        page = await context.new_page()

        await page.goto(f"{base}/orders/{order_id}/paid")  # as Stripe sends the shopper back, before the webhook
        await expect(page.locator("#state")).to_have_text("正在确认您的付款…")
        await fits_the_phone(page)
        await page.screenshot(path=shot(tmp_path, "return-confirming-zh.png"), full_page=True)

        await page.goto(link.url.replace("http://127.0.0.1:8080", base))
        for row in ("#discount", "#shipping", "#total"):
            await expect(page.locator(row)).to_be_visible()
        await expect(page.locator("#discount")).to_contain_text("优惠（WELCOME10）")
        await expect(page.locator("#expires")).to_have_text("付款链接将在 15 分钟后过期。")
        pay = page.locator("#pay")
        await expect(pay).to_be_in_viewport()
        await fits_the_phone(page)
        await page.screenshot(path=shot(tmp_path, "pay-zh.png"), full_page=True)
        await pay.click()
        await expect(page.locator("#state")).to_have_attribute("data-status", "paid")

        await page.goto(f"{base}/orders/{order_id}/paid")
        await expect(page.locator("#state")).to_have_text("已收到付款，谢谢！")
        await expect(page.locator("#back")).to_have_text("返回聊天")
        await fits_the_phone(page)
        await page.screenshot(path=shot(tmp_path, "return-paid-zh.png"), full_page=True)
        await browser.close()
