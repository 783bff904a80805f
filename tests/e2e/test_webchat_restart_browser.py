"""A real browser through a deploy: the chat says it is reconnecting while the server restarts, then comes back
with its conversation and the open payment link, which still pays."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from channels.webchat import server as webchat
from chatshop.bootstrap import Shop, build_shop
from chatshop.runtime import Runtime
from chatshop.settings import Settings
from chatshop.subscribers.channels import subscribe_webchat
from chatshop.web import create_app
from domain.adapters.webchat_history import SqlChatHistory
from nlu.embedded import EmbeddedEngine
from tests.e2e.person import Person
from tests.e2e.test_webchat_browser import ARGS, PHONE, free_port
from tests.integration.bots.conftest import NLU_CACHE, make_engine
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow


class Deployable:
    """The shop's web server on one loopback port, stopped as ``chatshop run`` stops on SIGTERM (stop
    listening, tell the open chats, finish) and started again as a new process would be: a new shop object,
    engine and web chat, nothing kept in memory, the same database."""

    def __init__(self, url: str, port: int) -> None:
        self.url, self.port = url, port
        self.nlu = EmbeddedEngine.load(cache_dir=NLU_CACHE)
        self.shop: Shop | None = None
        self.runner: web.AppRunner | None = None
        self.site: web.TCPSite | None = None
        self.runtime: Runtime | None = None

    async def start(self) -> Shop:
        settings = Settings(database_url=self.url, http_port=self.port, _env_file=None)  # type: ignore[call-arg]
        shop = self.shop = build_shop(settings)
        engine = make_engine(shop, self.nlu)

        def mount(app: web.Application, mounted: Shop) -> None:
            webchat.mount(app, mounted, engine=engine, history=SqlChatHistory(mounted.sessions, mounted.clock))
            subscribe_webchat(app, mounted)

        self.runner = web.AppRunner(create_app(shop, [mount]), access_log=None)
        await self.runner.setup()
        self.site = web.TCPSite(self.runner, "127.0.0.1", self.port)
        await self.site.start()
        self.runtime = Runtime(shop, outbox_idle_seconds=0.1)
        await self.runtime.start()
        return shop

    async def stop(self) -> None:
        if self.runner is None or self.site is None or self.runtime is None or self.shop is None:
            return
        await self.site.stop()
        await webchat.going_away(self.runner.app)
        await self.runtime.stop()
        await self.runner.cleanup()
        await self.shop.close()
        self.runner = None


@pytest.fixture
async def deployable(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[Deployable]:
    path = tmp_path / "shop.db"
    shutil.copy(sqlite_template, path)
    server = Deployable(f"sqlite+aiosqlite:///{path}", free_port())
    await SmallShop(await server.start()).build()
    try:
        yield server
    finally:
        await server.stop()


async def test_a_restart_shows_reconnecting_and_the_chat_comes_back_with_its_payment_link(
    deployable: Deployable, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-US")
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        await page.goto(f"http://127.0.0.1:{deployable.port}/chat")
        shots = tmp_path / "shots"
        shots.mkdir()
        person = Person(page, shots, "phone")
        log = person.log
        await expect(log).to_contain_text("Browse categories", timeout=15_000)
        await person.type("show me red shoes")
        await expect(person.find("[data-kind=product_card]")).to_have_count(1, timeout=15_000)
        await person.press(person.find("[data-kind=product_card]").last, "Add to cart")
        await expect(log).to_contain_text("Added 1 x", timeout=15_000)
        await person.press(person.find("#log > *").last, "Check out")
        for answer, prompt in [("Ann Shopper", "Street"), ("1 Main Street", "City"), ("Springfield", "Country"),
                               ("US", "Postal code"), ("12345", "How should we ship")]:  # fmt: skip
            await person.type(answer)
            await expect(log).to_contain_text(prompt, timeout=15_000)
        await person.press(person.find("#log > *").last, "Standard")
        await expect(log).to_contain_text("Please check your order", timeout=15_000)
        await person.press(person.find("#log > *").last, "Place order")
        await expect(log).to_contain_text("is reserved for you", timeout=15_000)
        await expect(person.find("[data-kind=payment_link]")).to_have_count(1)

        await deployable.stop()  # SIGTERM
        banner = page.get_by_role("status").filter(has_text="Reconnecting…")
        await expect(banner).to_be_visible(timeout=5_000)
        box = await banner.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
        await person.shot("reconnecting")
        await page.wait_for_timeout(1500)  # a deploy takes a moment; the widget keeps trying
        await expect(banner).to_be_visible()

        await deployable.start()
        await expect(banner).to_have_count(0, timeout=20_000)
        await expect(log).to_contain_text("show me red shoes")
        await expect(person.find("[data-kind=payment_link]")).to_have_count(1)
        await person.nothing_clipped()
        await person.shot("resumed")
        pay_link = person.find("[data-kind=payment_link] a").last
        async with page.context.expect_page() as popup_info:
            await person.tap(pay_link, "the payment link")
        sandbox = Person(await popup_info.value, tmp_path, "phone")
        await sandbox.page.wait_for_load_state()
        await sandbox.tap(sandbox.page.locator("#pay"), "Pay on the sandbox page")
        await expect(sandbox.page.locator("#state")).to_have_attribute("data-status", "paid")
        await sandbox.page.close()
        await expect(log).to_contain_text("Payment received for order #1", timeout=15_000)
        assert errors == []
        await browser.close()
