"""Purchasing and paperwork in a real Chromium at 1280×800: a buyer receives part of a purchase order into a
bin and sees the stock change, then prints a pick list whose PDF lists the batch in bin order — pressing only
what a person can see, everything from our server."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.async_api import Route, async_playwright, expect

from admin_api.console.settings import ConsoleSettings
from chatshop.console_wiring import mount_console
from chatshop.web import create_app
from domain import commands as c
from domain import commands_purchasing as p
from domain.model.staff import Actor, Role
from tests.e2e.person import Person
from tests.integration.api.conftest import serve
from tests.integration.console.conftest import PASSWORD, paid_order, staff_up
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow
DOCS = Path(__file__).resolve().parents[2] / "docs" / "console"
UPDATE_SCREENSHOT = os.environ.get("CHATSHOP_UPDATE_SCREENSHOT") == "1"
LAPTOP = {"width": 1280, "height": 800}
BUYER = Actor.staff("abe", Role.APPROVER)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_buyer_receives_part_of_a_purchase_order_and_prints_a_pick_list_in_a_browser(
    small: SmallShop, tmp_path: Path
) -> None:
    await staff_up(small)
    bus = small.shop.bus
    supplier_id = await bus.handle(p.CreateSupplier("Stride Wholesale", "USD", "orders@stride.test", 10, actor=BUYER))
    lines = (p.POLineSpec("SHOE-RED-42", 12, 3000), p.POLineSpec("MUG-WHT", 48, 250))
    po_id = int(await bus.handle(p.CreatePurchaseOrder(supplier_id, lines, actor=BUYER)))
    await bus.handle(p.SendPurchaseOrder(po_id, actor=BUYER))
    await bus.handle(p.SetBinLocation("MUG-WHT", "EAST", "A-10-1", actor=BUYER))
    await bus.handle(p.SetBinLocation("SHOE-RED-42", "EAST", "A-2-4", actor=BUYER))
    mugs = await small.customer("web-1", "Shopper 1")
    await bus.handle(c.AddToCart(mugs, "MUG-WHT", 4, actor=Actor.shopper(mugs)))  # this order has mugs too
    orders = [await paid_order(small, quantity=1, external_id=f"web-{i}", name=f"Shopper {i}") for i in range(3)]

    app = create_app(small.shop, [], media_dir=tmp_path / "media")
    mount_console(app, small.shop, ConsoleSettings(_env_file=None))  # type: ignore[call-arg]
    runner, base = await serve(app)
    shots = DOCS if UPDATE_SCREENSHOT else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    elsewhere: list[str] = []
    pdfs: list[bytes] = []

    async def keep_pdf(route: Route) -> None:
        """Pass the request on and keep the bytes our server answered (the browser's PDF viewer shows them)."""
        response = await route.fetch()
        pdfs.append(await response.body())
        await route.fulfill(response=response)

    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
            context = await browser.new_context(viewport=LAPTOP, accept_downloads=True)
            await context.route("**/*.pdf", keep_pdf)
            page = await context.new_page()
            page.on("request", lambda r: None if r.url.startswith(base) else elsewhere.append(r.url))
            person = Person(page, tmp_path, "laptop")
            await page.goto(f"{base}/admin/login")
            await person.tap(page.get_by_label("Name"), "the name box")
            await page.keyboard.type("abe")
            await person.tap(page.get_by_label("Password"), "the password box")
            await page.keyboard.type(PASSWORD)
            await person.press(page.locator("main"), "Sign in")

            await person.press(page.locator("header"), "Purchase orders")
            await expect(page.get_by_role("heading", name="Purchase orders")).to_be_visible()
            await person.press(page.locator("table.list"), f"PO-{po_id:06d}")
            await person.tap(page.get_by_label("Receive now SHOE-RED-42"), "the shoes' quantity box")
            await page.keyboard.press("Control+A")
            await page.keyboard.type("5")
            await page.get_by_label("Warehouse").select_option("WEST")
            await person.tap(page.get_by_label("Bin"), "the bin box")
            await page.keyboard.type("b-07-1")
            await person.press(page.locator("main"), "Receive")
            await expect(page.get_by_role("status")).to_have_text("Done: received")
            await expect(page.locator("h1 .state")).to_have_text("partially_received")
            await page.screenshot(path=str(shots / "purchase-order.png"), full_page=True)
            stock = await small.shop.views.stock("SHOE-RED-42")
            assert stock is not None and {r.warehouse_code: r.on_hand for r in stock.rows}["WEST"] == 5 + 5

            await person.press(page.locator("header"), "Valuation")
            await expect(page.get_by_role("cell", name="B-07-1")).to_be_visible()

            await person.press(page.locator("header"), "Paperwork")
            await expect(page.locator("table.list tbody tr")).to_have_count(len(orders))
            await page.screenshot(path=str(shots / "paperwork.png"))
            async with context.expect_page():
                await person.press(page.locator("main"), "Print pick list (PDF)")
            for _ in range(50):
                if pdfs:
                    break
                await asyncio.sleep(0.1)
            await browser.close()
    finally:
        await runner.cleanup()
    assert elsewhere == []
    assert pdfs and pdfs[0].startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        (tmp_path / "pick.pdf").write_bytes(pdfs[0])
        text = await asyncio.to_thread(
            subprocess.run, ["pdftotext", "-layout", str(tmp_path / "pick.pdf"), "-"], capture_output=True, text=True
        )
        assert "Pick list · EAST" in text.stdout and "Printed by abe" in text.stdout
        assert text.stdout.index("A-2-4") < text.stdout.index("A-10-1")  # the shelves in walking order
        if UPDATE_SCREENSHOT and shutil.which("pdftoppm"):
            out = str(shots / "pick-list")
            command = ["pdftoppm", "-r", "70", "-png", "-singlefile", str(tmp_path / "pick.pdf"), out]
            await asyncio.to_thread(subprocess.run, command, check=True)
