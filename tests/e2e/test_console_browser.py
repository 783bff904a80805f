"""The staff console in a real Chromium at 1280×800: an approver signs in, finds the order waiting for
approval with the filter, and approves it — pressing only what a person can see, everything from our server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from admin_api.console.settings import ConsoleSettings
from chatshop.console_wiring import mount_console
from chatshop.web import create_app
from tests.e2e.person import Person
from tests.integration.api.conftest import serve
from tests.integration.console.conftest import PASSWORD, paid_order, staff_up
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow
# The README's pictures are refreshed only on request, so a test run never changes the checkout.
DOCS = Path(__file__).resolve().parents[2] / "docs" / "console"
UPDATE_SCREENSHOT = os.environ.get("CHATSHOP_UPDATE_SCREENSHOT") == "1"
LAPTOP = {"width": 1280, "height": 800}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_approver_signs_in_filters_and_approves_an_order_in_a_browser(
    small: SmallShop, tmp_path: Path
) -> None:
    await staff_up(small)
    waiting = await paid_order(small, quantity=2, external_id="web-a", name="Ann")
    for i in range(4):
        await paid_order(small, quantity=1, external_id=f"web-{i}", name=f"Shopper {i}")
    app = create_app(small.shop, [], media_dir=tmp_path / "media")
    mount_console(app, small.shop, ConsoleSettings(_env_file=None))  # type: ignore[call-arg]
    runner, base = await serve(app)
    shots = DOCS if UPDATE_SCREENSHOT else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    elsewhere: list[str] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
            page = await browser.new_page(viewport=LAPTOP)
            page.on("request", lambda r: None if r.url.startswith(base) else elsewhere.append(r.url))
            person = Person(page, tmp_path, "laptop")
            await page.goto(f"{base}/admin/")
            await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
            await person.tap(page.get_by_label("Name"), "the name box")
            await page.keyboard.type("abe")
            await person.tap(page.get_by_label("Password"), "the password box")
            await page.keyboard.type(PASSWORD)
            await person.press(page.locator("main"), "Sign in")
            await expect(page.get_by_role("heading", name="Orders")).to_be_visible()
            await expect(page.get_by_text("Signed in as abe (approver)")).to_be_visible()
            # From the keyboard: the first Tab stop is the skip link, on screen when focused; Enter goes to the page.
            await page.keyboard.press("Tab")
            skip = page.get_by_role("link", name="Skip to content")
            await expect(skip).to_be_focused()
            await person.reveal(skip, "the focused skip link")
            await page.keyboard.press("Enter")
            await expect(page.locator("main")).to_be_focused()

            await person.tap(page.get_by_label("Needs approval only"), "the approval filter")
            await person.press(page.locator("form.filters"), "Filter")
            await expect(page.locator("table.list tbody tr")).to_have_count(1)
            await person.press(page.locator("table.list"), f"#{waiting}")
            await expect(page.get_by_role("heading", name=f"Order #{waiting}")).to_be_visible()
            await person.press(page.locator("main"), "Approve")
            await expect(page.get_by_role("status")).to_have_text("Done: approved")
            await page.screenshot(path=str(shots / "order.png"))

            view = await small.shop.views.order(waiting)
            assert view is not None and view.status == "approved"

            await person.press(page.locator("main"), "Back to orders")
            await expect(page.locator("table.list tbody tr")).to_have_count(5)
            await page.screenshot(path=str(shots / "orders.png"))
            assert (shots / "orders.png").stat().st_size > 10_000
            await browser.close()
    finally:
        await runner.cleanup()
    assert elsewhere == []
