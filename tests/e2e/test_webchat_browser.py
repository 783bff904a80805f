"""A real browser (Debian's chromium, headless) buys shoes in the web chat and pays on the sandbox page."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from channels.webchat import server as webchat
from chatshop.bootstrap import Shop, build_shop
from chatshop.runtime import Runtime
from chatshop.settings import Settings
from chatshop.web import create_app
from nlu.embedded import EmbeddedEngine
from tests.integration.bots.conftest import NLU_CACHE, make_engine
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow
# The README's picture is refreshed only on request, so a test run never changes the checkout.
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-webchat.png"
UPDATE_SCREENSHOT = os.environ.get("CHATSHOP_UPDATE_SCREENSHOT") == "1"
PHONE = {"width": 390, "height": 844}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def served(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[tuple[str, Shop]]:
    """The real app on a loopback port, with the outbox loop running so payments reach the chat."""
    path = tmp_path / "shop.db"
    shutil.copy(sqlite_template, path)
    port = free_port()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", http_port=port, _env_file=None)  # type: ignore[call-arg]
    shop = build_shop(settings)
    await SmallShop(shop).build()
    engine = make_engine(shop, EmbeddedEngine.load(cache_dir=NLU_CACHE))

    def mount(app: web.Application, mounted: Shop) -> None:
        webchat.mount(app, mounted, engine=engine)

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


async def test_shopper_buys_in_the_web_chat_and_sees_the_payment_confirmed(
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
        await expect(card).to_contain_text("Stride Running Shoes")
        await card.get_by_role("button", name="Add to cart").click()
        await expect(log).to_contain_text("Added 1 x Stride Running Shoes")
        await page.get_by_role("button", name="View cart").last.click()
        await expect(page.locator("[data-kind=cart]").last).to_contain_text("80.00 USD")
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
        await sandbox.locator("#pay").click()
        await expect(sandbox.locator("#state")).to_have_attribute("data-status", "paid")
        await sandbox.close()
        await expect(log).to_contain_text("Payment received for order #1", timeout=15_000)
        order = await shop.views.order(1)
        assert order is not None and order.status == "paid"
        shot = README_SCREENSHOT if UPDATE_SCREENSHOT else tmp_path / "webchat.png"
        await page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000
        await page.reload()
        await expect(log).to_contain_text("Payment received for order #1")  # the conversation survives a reload
        await browser.close()


async def test_a_campaign_message_shows_its_formatting_and_nothing_typed_becomes_markup(
    served: tuple[str, Shop],
) -> None:
    from playwright.async_api import async_playwright, expect

    from channels.webchat.hub import chat_id_for
    from domain import commands as c
    from domain.adapters.campaigns_uow import enable_campaigns
    from domain.model.staff import Actor, Role

    base, shop = served
    enable_campaigns(shop.bus.ctx, shop.sessions, shop.clock)
    marketer = Actor.staff("mia", Role.OPERATOR)
    text = "Our **winter sale** is _on_: [see it](https://shop.test/sale)\n<img src=x onerror=alert(1)>"
    contents = {"en": {"text": text, "coupon": "WELCOME10", "skus": ["SHOE-RED-42"]}}
    everyone = {"field": "consent", "op": "is", "value": True}
    await shop.bus.handle(c.CreateCampaign("winter", contents, ("webchat",), everyone, actor=marketer))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        await page.goto(f"{base}/chat")
        await expect(page.locator("#log")).to_contain_text("Browse categories")
        session = await page.evaluate("localStorage.getItem('chatshop.session')")
        # The marketer's test send reaches the open chat through the outbox, like any campaign message.
        await shop.bus.handle(c.SendCampaignTest("winter", "webchat", chat_id_for(session), actor=marketer))
        promo = page.locator("[data-kind=promotion]").last
        await expect(promo).to_contain_text("[Test] Our winter sale is on")
        await expect(promo.locator("strong")).to_have_text("winter sale")
        await expect(promo.locator("em")).to_have_text("on")
        link = promo.locator("a[href='https://shop.test/sale']")
        await expect(link).to_have_text("see it")
        await expect(link).to_have_attribute("rel", "noopener")
        await expect(promo).to_contain_text("<img src=x onerror=alert(1)>")  # shown as text
        assert await promo.locator("img").count() == 0 and dialogs == []
        await expect(promo.locator(".promo-code")).to_have_text("Your code: WELCOME10")
        card = page.locator("[data-kind=promotion_products] .card").last
        await expect(card).to_contain_text("Stride Running Shoes (red / 42)")
        await expect(card).to_contain_text("80.00 USD")
        await expect(page.get_by_role("button", name="Unsubscribe").last).to_be_visible()
        await card.get_by_role("button").click()  # opens the product, and counts as the campaign's click
        await expect(page.locator("[data-kind=product_card]").last).to_contain_text("Stride Running Shoes")
        await browser.close()
