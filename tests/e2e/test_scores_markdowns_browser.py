"""The "at risk, high value" list and the markdown suggestions in a real Chromium at 1280×800: an approver opens
the list from the customers page, sorts it by churn risk, opens a customer's profile and reads their scores, then
reads the markdown suggestions from the stock page — pressing only what a person can see, everything from our
server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from admin_api.console.settings import ConsoleSettings
from chatshop.console_wiring import mount_console
from chatshop.web import create_app
from domain.adapters.scores_store import SqlScoreStore
from domain.scoring import CustomerScore
from tests.e2e.person import Person
from tests.integration.api.conftest import serve
from tests.integration.campaigns.helpers import paid_order
from tests.integration.console.conftest import PASSWORD, staff_up
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow
DOCS = Path(__file__).resolve().parents[2] / "docs" / "console"
UPDATE_SCREENSHOT = os.environ.get("CHATSHOP_UPDATE_SCREENSHOT") == "1"
LAPTOP = {"width": 1280, "height": 800}
PEOPLE = [
    ("Mei Lin", 0.91, 128_400),
    ("Jonas Berg", 0.78, 86_250),
    ("Ana <b>Souza</b>", 0.97, 54_900),
    ("Priya Nair", 0.74, 61_300),
    ("Tom Ellis", 0.88, 7_500),
    ("Kai Sato", 0.12, 240_000),
]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_approver_finds_at_risk_high_value_customers_and_reads_markdown_suggestions(
    small: SmallShop, tmp_path: Path
) -> None:
    await staff_up(small)
    now = small.shop.clock.now()
    ids = [await small.customer(f"web-{i}", name) for i, (name, _, _) in enumerate(PEOPLE)]
    scores = [
        CustomerScore(cid, risk, value, "USD", "logistic", now)
        for cid, (_, risk, value) in zip(ids, PEOPLE, strict=True)
    ]
    await SqlScoreStore(small.shop.sessions).replace(scores)
    buyer = await small.customer("web-buyer", "Buyer")
    await paid_order(small, buyer, "MUG-WHT", 2)
    await paid_order(small, buyer, "SHOE-RED-42", 5)

    app = create_app(small.shop, [], media_dir=tmp_path / "media")
    mount_console(app, small.shop, ConsoleSettings(_env_file=None))  # type: ignore[call-arg]
    runner, base = await serve(app)
    shots = DOCS if UPDATE_SCREENSHOT else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    elsewhere: list[str] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
            page = await (await browser.new_context(viewport=LAPTOP)).new_page()
            page.on("request", lambda r: None if r.url.startswith(base) else elsewhere.append(r.url))
            person = Person(page, tmp_path, "laptop")
            await page.goto(f"{base}/admin/login")
            await person.tap(page.get_by_label("Name"), "the name box")
            await page.keyboard.type("abe")
            await person.tap(page.get_by_label("Password"), "the password box")
            await page.keyboard.type(PASSWORD)
            await person.press(page.locator("main"), "Sign in")

            await person.press(page.locator("header"), "Customers")
            await person.press(page.locator("main"), "At risk, high value")
            await expect(page.get_by_role("heading", name="At risk, high value")).to_be_visible()
            rows = page.locator("table.list tbody tr")
            await expect(rows).to_have_count(5)  # Kai is not at risk
            await expect(rows.first).to_contain_text("Mei Lin")  # the most valuable first
            await person.press(page.locator("table.list thead"), "Churn risk")
            await expect(rows.first).to_contain_text("Ana <b>Souza</b>")  # shown as typed, not as markup
            await expect(rows.first).to_contain_text("97%")
            await page.screenshot(path=str(shots / "customers_at_risk.png"), full_page=True)
            await person.press(rows.nth(1), f"#{ids[0]}")
            await expect(page.locator("dl.totals")).to_contain_text("91%")
            await expect(page.locator("dl.totals")).to_contain_text("1,284.00")

            await person.press(page.locator("header"), "Stock")
            await person.press(page.locator("main"), "Markdown suggestions")
            await expect(page.get_by_role("heading", name="Markdown suggestions")).to_be_visible()
            await expect(page.locator("table.list tbody tr")).to_have_count(2)
            await expect(page.locator("table.list")).to_contain_text("Sell-through 4% in 28 days, below 30%")
            await page.screenshot(path=str(shots / "markdowns.png"), full_page=True)
            await browser.close()
    finally:
        await runner.cleanup()
    assert elsewhere == []
