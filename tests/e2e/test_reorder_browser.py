"""Reorder suggestions in a real Chromium at 1280×800: a buyer opens Suggestions from the header, sees which SKUs
to order with days of cover, supplier and reasons (the SKU without supplier listed, not ticked), and presses the
one button that drafts a purchase order per supplier — pressing only what a person can see."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect
from sqlalchemy import func, select

from admin_api.console.settings import ConsoleSettings
from chatshop.cli_forecast import forecast_all
from chatshop.console_wiring import mount_console
from chatshop.web import create_app
from domain import commands_purchasing as p
from domain import commands_reorder as r
from domain.adapters.orm_purchasing import purchase_orders
from domain.model.staff import Actor, Role
from tests.e2e.person import Person
from tests.integration.api.conftest import serve
from tests.integration.console.conftest import PASSWORD, staff_up
from tests.integration.forecasting.history import record_sales, weekly
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow
DOCS = Path(__file__).resolve().parents[2] / "docs" / "console"
UPDATE_SCREENSHOT = os.environ.get("CHATSHOP_UPDATE_SCREENSHOT") == "1"
BUYER = Actor.staff("abe", Role.APPROVER)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_buyer_turns_reorder_suggestions_into_draft_purchase_orders_in_a_browser(
    small: SmallShop, tmp_path: Path
) -> None:
    await staff_up(small)
    shop, bus = small.shop, small.shop.bus
    end = shop.clock.now().date() - timedelta(days=1)
    for sku, seed in (("SHOE-RED-42", 1), ("SHOE-BLU-42", 2), ("MUG-WHT", 3)):
        await record_sales(shop, sku, weekly(120, seed=seed), end=end)
    hearth = await bus.handle(p.CreateSupplier("Hearth Ceramics", "USD", lead_time_days=5, actor=BUYER))
    stride = await bus.handle(p.CreateSupplier("Stride Wholesale", "USD", lead_time_days=10, actor=BUYER))
    await bus.handle(r.SetVariantSourcing("MUG-WHT", hearth, pack_size=12, unit_cost=250, actor=BUYER))
    await bus.handle(r.SetVariantSourcing("SHOE-RED-42", stride, unit_cost=3000, actor=BUYER))
    await forecast_all(shop)

    app = create_app(shop, [], media_dir=tmp_path / "media")
    mount_console(app, shop, ConsoleSettings(_env_file=None))  # type: ignore[call-arg]
    runner, base = await serve(app)
    shots = DOCS if UPDATE_SCREENSHOT else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    elsewhere: list[str] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
            page = await browser.new_page(viewport={"width": 1280, "height": 800})
            page.on("request", lambda q: None if q.url.startswith(base) else elsewhere.append(q.url))
            person = Person(page, tmp_path, "laptop")
            await page.goto(f"{base}/admin/login")
            await person.tap(page.get_by_label("Name"), "the name box")
            await page.keyboard.type("abe")
            await person.tap(page.get_by_label("Password"), "the password box")
            await page.keyboard.type(PASSWORD)
            await person.press(page.locator("main"), "Sign in")

            await person.press(page.locator("header"), "Suggestions")
            await expect(page.get_by_role("heading", name="Reorder suggestions")).to_be_visible()
            await expect(page.get_by_role("note")).to_contain_text("SHOE-BLU-42")
            await expect(page.locator("table.list tbody tr")).to_have_count(4)  # shoes ×2 warehouses, blue, mugs
            await expect(page.get_by_role("checkbox")).to_have_count(3)
            await page.screenshot(path=str(shots / "suggestions.png"), full_page=True)
            await person.press(page.locator("main"), "Create draft purchase orders")
            await expect(page.get_by_role("status").first).to_contain_text("Draft purchase orders created")
            await expect(page.get_by_role("link", name="PO-000002")).to_be_visible()
            await browser.close()
    finally:
        await runner.cleanup()
    assert elsewhere == []
    async with shop.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(purchase_orders))).scalar_one() == 2
