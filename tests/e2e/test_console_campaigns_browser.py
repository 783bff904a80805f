"""Campaigns in a real Chromium at 1280×800: a marketer writes a draft, watches the audience count follow the
segment rule as they type, sees each channel's message as shoppers will, and submits it; an approver approves
it; after the send the report shows it — pressing only what a person can see, everything from our server."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from playwright.async_api import Locator, async_playwright, expect

from admin_api.console.settings import ConsoleSettings
from chatshop.console_wiring import mount_console
from chatshop.web import create_app
from domain import commands as c
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.model.staff import Role
from tests.e2e.person import Person
from tests.integration.api.conftest import serve
from tests.integration.campaigns.helpers import Person as Customer
from tests.integration.campaigns.helpers import add_people
from tests.integration.campaigns.telegram_rig import telegram_dispatcher
from tests.integration.console.conftest import PASSWORD, staff_up
from tests.support.clock import FakeClock
from tests.support.fake_telegram import FakeTelegram
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow
DOCS = Path(__file__).resolve().parents[2] / "docs" / "console"
UPDATE_SCREENSHOT = os.environ.get("CHATSHOP_UPDATE_SCREENSHOT") == "1"
LAPTOP = {"width": 1280, "height": 800}
TEXT = "Spring **sale**: _20% off_ shoes & boots <until Sunday> [see all](https://shop.test/spring)"
GERMANS = {"all": [{"field": "consent", "op": "is", "value": True}, {"field": "country", "op": "in", "value": ["DE"]}]}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_marketer_drafts_and_submits_a_campaign_and_an_approver_approves_it_in_a_browser(
    small: SmallShop, tmp_path: Path, clock: FakeClock
) -> None:
    await staff_up(small)
    shop = small.shop
    mia = int(await shop.bus.handle(c.AddStaff("mia", Role.OPERATOR, actor=c.SYSTEM)))
    await SqlStaffAccessStore(shop.sessions, shop.clock).set_password(mia, PASSWORD, "en")
    await add_people(
        shop,
        [Customer(telegram=101, country="DE"), Customer(telegram=102, country="DE"), Customer(telegram=103)],
        clock.now(),
    )
    app = create_app(shop, [], media_dir=tmp_path / "media")
    mount_console(app, shop, ConsoleSettings(_env_file=None))  # type: ignore[call-arg]
    runner, base = await serve(app)
    shots = DOCS if UPDATE_SCREENSHOT else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    elsewhere: list[str] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
            context = await browser.new_context(viewport=LAPTOP)
            page = await context.new_page()
            page.on("request", lambda r: None if r.url.startswith(base) else elsewhere.append(r.url))
            person = Person(page, tmp_path, "laptop")

            async def scroll_to_and_tap(target: Locator, what: str) -> None:
                """Below the fold: a person scrolls the page to it, then presses it where it is seen."""
                await target.evaluate("element => element.scrollIntoView({block: 'center'})")
                await person.tap(target, what)

            async def sign_in(name: str) -> None:
                await page.goto(f"{base}/admin/login")
                await person.tap(page.get_by_label("Name"), "the name box")
                await page.keyboard.type(name)
                await person.tap(page.get_by_label("Password"), "the password box")
                await page.keyboard.type(PASSWORD)
                await person.press(page.locator("main"), "Sign in")

            await sign_in("mia")
            await person.press(page.locator("header"), "Campaigns")
            await person.press(page.locator("main"), "New campaign")
            count = page.locator("#audience-count")
            await expect(count).to_have_text("Reaches 3 of 3 matching customers")
            await person.tap(page.locator("#f-name"), "the name box")
            await page.keyboard.type("spring-sale")
            await person.tap(page.locator("#f-segment"), "the segment rule")
            await page.keyboard.press("Control+A")
            await page.keyboard.insert_text(json.dumps(GERMANS))
            await expect(count).to_have_text("Reaches 2 of 2 matching customers")  # counted as the rule changed
            await scroll_to_and_tap(page.locator("#f-text-en"), "the English text")
            await page.keyboard.insert_text(TEXT)
            await scroll_to_and_tap(page.locator("#f-skus-en"), "the English product buttons")
            await page.keyboard.type("SHOE-RED-42")
            await scroll_to_and_tap(page.locator("#f-text-zh"), "the Chinese text")
            await page.keyboard.insert_text("春季**促销**")
            await scroll_to_and_tap(page.locator("input[name=schedule][value=now]"), "send when approved")
            await scroll_to_and_tap(page.get_by_role("button", name="Save draft"), "Save draft")

            await expect(page.locator("p.notice")).to_have_text("Done: Saved.")
            telegram = page.locator('.preview[data-channel="telegram"][data-locale="en"]')
            await expect(telegram.locator(".bubble b")).to_have_text("sale")
            await expect(telegram.locator(".bubble")).to_contain_text("shoes & boots <until Sunday> see all")
            await expect(telegram.locator(".bubble a")).to_have_attribute("href", "https://shop.test/spring")
            await expect(telegram.locator(".chat-button")).to_have_text(
                ["Stride Running Shoes (red / 42) · 80.00 USD", "Unsubscribe"]
            )
            await telegram.scroll_into_view_if_needed()
            await page.screenshot(path=str(shots / "campaign_edit.png"), full_page=True)
            await person.press(page.locator(".actions"), "Submit")
            await expect(page.locator("p.notice")).to_have_text("Done: Submitted for approval.")
            await expect(page.locator(".actions").get_by_role("button", name="Approve")).to_have_count(0)
            await person.press(page.locator("header"), "Sign out")
            await page.wait_for_url("**/admin/login**")  # signed out before the next person signs in

            await sign_in("abe")
            await person.press(page.locator("header"), "Campaigns")
            await person.press(page.locator("table.list"), "spring-sale")
            await person.press(page.locator(".actions"), "Approve")
            await expect(page.locator("p.notice")).to_have_text("Done: Approved.")
            row = await shop.views.campaigns.campaign("spring-sale")
            assert row is not None and row.campaign.approved_by == "abe" and row.campaign.id is not None

            await shop.bus.handle(c.StartCampaignRun(row.campaign.id, now=True))
            async with FakeTelegram() as fake:
                dispatcher = telegram_dispatcher(shop, fake, rate=30)
                await dispatcher.drain()
                await dispatcher.aclose()
            assert sorted(call.chat_id or 0 for call in fake.sent("sendMessage")) == [101, 102]
            await page.reload()
            report = page.locator("table.report")
            await expect(report.get_by_role("row", name="Sent / total")).to_contain_text("2 / 2")
            await report.scroll_into_view_if_needed()
            await page.screenshot(path=str(shots / "campaign_report.png"))
            await scroll_to_and_tap(page.get_by_role("link", name="Back to campaigns"), "Back to campaigns")
            await expect(page.locator("table.list")).to_contain_text("2 / 2")
            await page.screenshot(path=str(shots / "campaigns.png"))
            await browser.close()
    finally:
        await runner.cleanup()
    assert elsewhere == []
