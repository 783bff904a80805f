"""The console's newer pages in a real Chromium at 1280×800, pressing only what a person can see: an approver
adjusts stock, approves two orders at once, refunds part of one and reads its timeline, opens a customer, answers
a support ticket and looks at the two-step sign-in page. With CHATSHOP_UPDATE_SCREENSHOT=1 the pictures in
docs/console/ are refreshed."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from admin_api.console.settings import ConsoleSettings
from chatshop.console_wiring import mount_console
from chatshop.web import create_app
from domain import commands as c
from domain.model.staff import Actor
from tests.e2e.person import Person
from tests.e2e.test_console_browser import DOCS, LAPTOP, UPDATE_SCREENSHOT
from tests.integration.api.conftest import serve
from tests.integration.console.conftest import PASSWORD, paid_order, staff_up
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_approver_works_through_stock_bulk_refund_customer_and_support_pages(
    small: SmallShop, tmp_path: Path
) -> None:
    await staff_up(small)
    first = await paid_order(small, quantity=2, external_id="web-a", name="Ann Lee")
    second = await paid_order(small, quantity=2, external_id="web-b", name="Bo Chen")
    ann = await small.shop.views.order(first)
    assert ann is not None
    await small.shop.bus.handle(
        c.UpdateCustomer(ann.customer_id, email="ann@example.com", add_tags=("vip",), actor=c.SYSTEM)
    )
    transcript = (("shopper", "Is my order on its way?"), ("bot", "Let me find someone who can help."))
    ticket = await small.shop.bus.handle(c.OpenTicket(ann.customer_id, "webchat", "web-a", "Delivery date", transcript))
    await small.shop.bus.handle(
        c.PostTicketMessage(ticket, "It is a birthday present.", actor=Actor.shopper(ann.customer_id))
    )
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
            main = page.locator("main")
            await page.goto(f"{base}/admin/login")
            await person.tap(page.get_by_label("Name"), "the name box")
            await page.keyboard.type("abe")
            await person.tap(page.get_by_label("Password"), "the password box")
            await page.keyboard.type(PASSWORD)
            await person.press(main, "Sign in")
            await expect(page.get_by_role("heading", name="Orders")).to_be_visible()

            # Stock: low first; a SKU's ledger; an adjustment with a reason.
            await person.press(page.locator("header nav"), "Stock")
            await expect(page.get_by_role("heading", name="Stock")).to_be_visible()
            # Low on the total of all warehouses, least first: blue shoes (2), then red ones (4 of 8 left).
            await expect(page.locator("table.list tbody tr").first).to_contain_text("SHOE-BLU-42")
            await expect(page.locator("table.list tbody tr").nth(1)).to_contain_text("SHOE-RED-42")
            await page.screenshot(path=str(shots / "stock.png"))
            await person.press(page.locator("table.list"), "SHOE-RED-42")
            await person.tap(page.get_by_label("Change (+ received or found, − damaged or lost)"), "the change box")
            await page.keyboard.type("-1")
            await person.tap(page.locator("#adj-reason"), "the adjustment reason")
            await page.keyboard.type("box crushed in the aisle")
            await person.press(main, "Adjust")
            await expect(page.get_by_role("status")).to_have_text("Done: adjusted")
            await expect(page.locator("#ledger")).to_contain_text("box crushed in the aisle")
            await page.screenshot(path=str(shots / "stock_ledger.png"))

            # Bulk: tick both orders waiting for approval and approve them at once.
            await person.press(page.locator("header nav"), "Orders")
            await person.press(main, "Awaiting approval")
            await expect(page.locator("table.list tbody tr")).to_have_count(2)
            for order_id in (first, second):
                await person.tap(page.locator(f"#sel-{order_id}"), f"the box of order #{order_id}")
            await person.press(page.locator("form.bulk"), "Approve")
            await expect(page.get_by_role("heading", name="Approve: 2 of 2 done")).to_be_visible()
            await page.screenshot(path=str(shots / "bulk.png"))

            # Refund part of an order; the timeline says who did what.
            await person.press(page.locator("#outcomes"), f"#{first}")
            await person.tap(page.locator("#refund-amount"), "the refund amount")
            await page.keyboard.type("15.00")
            await person.tap(page.locator("#refund-reason"), "the refund reason")
            await page.keyboard.type("late delivery")
            await person.press(page.locator("#refund-form"), "Refund")
            await expect(page.get_by_role("status")).to_have_text("Done: refund succeeded")
            timeline = page.locator("ol.timeline")
            await expect(timeline).to_contain_text("Awaiting approval → Approved by abe")
            await expect(timeline).to_contain_text("Refund of 15.00 USD succeeded by abe")
            await page.screenshot(path=str(shots / "order_timeline.png"), full_page=True)
            view = await small.shop.views.order(first)
            assert view is not None and view.refunded == 1500

            # The customer's profile.
            await person.press(page.locator("header nav"), "Customers")
            await person.tap(page.get_by_label("Search"), "the customer search")
            await page.keyboard.type("ann")
            await person.press(page.locator("form.filters"), "Search")
            await person.press(page.locator("table.list"), f"#{ann.customer_id}")
            await expect(page.get_by_role("heading", name=f"Customer #{ann.customer_id}: Ann Lee")).to_be_visible()
            await page.screenshot(path=str(shots / "customer.png"))

            # Support: answer the ticket.
            await person.press(page.locator("header nav"), "Support")
            await person.press(page.locator("table.list"), f"#{ticket}")
            await person.tap(page.locator("#reply-text"), "the reply box")
            await page.keyboard.type("It leaves today; you will have it on Thursday.")
            await person.press(main, "Send reply")
            await expect(page.get_by_role("status")).to_have_text("Done: sent")
            await expect(page.locator("ol.conversation")).to_contain_text("you will have it on Thursday")
            await page.screenshot(path=str(shots / "ticket.png"))

            # The second factor's page: a QR code and the secret.
            await person.press(page.locator("header"), "Two-step sign-in")
            await expect(page.locator("figure.qr svg")).to_be_visible()
            await page.screenshot(path=str(shots / "totp.png"))
            await browser.close()
    finally:
        await runner.cleanup()
    assert elsewhere == []
