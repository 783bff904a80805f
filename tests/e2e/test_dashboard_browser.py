"""The dashboard in a real Chromium at 1280×800 on the demo shop's history: the charts are drawn with data,
a bar tells its value on hover, and a chart's CSV downloads — nothing loaded from anywhere but our server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from admin_api.console.settings import ConsoleSettings
from chatshop.bootstrap import Shop
from chatshop.cli_forecast import forecast_all
from chatshop.console_wiring import mount_console
from chatshop.seed import seed_demo
from chatshop.web import create_app
from domain import commands as c
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.model.staff import Role
from tests.integration.api.conftest import serve
from tests.integration.console.conftest import PASSWORD
from tests.support.services import chromium_path

pytestmark = pytest.mark.slow
DOCS = Path(__file__).resolve().parents[2] / "docs" / "console"
UPDATE_SCREENSHOT = os.environ.get("CHATSHOP_UPDATE_SCREENSHOT") == "1"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_operator_reads_the_dashboard_hovers_a_bar_and_downloads_its_csv(
    shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the demo's product images go under ./var/media
    # The screenshots show the demo `make run` seeds; the check itself needs less history.
    await seed_demo(shop, **({} if UPDATE_SCREENSHOT else {"customers": 150, "orders": 1500}))
    await forecast_all(shop)  # the next 28 days drawn on the sales trend
    staff_id = int(await shop.bus.handle(c.AddStaff("otto", Role.OPERATOR, actor=c.SYSTEM)))
    await SqlStaffAccessStore(shop.sessions, shop.clock).set_password(staff_id, PASSWORD, "en")
    app = create_app(shop, [], media_dir=tmp_path / "media")
    mount_console(app, shop, ConsoleSettings(_env_file=None))  # type: ignore[call-arg]
    runner, base = await serve(app)
    shots = DOCS if UPDATE_SCREENSHOT else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    elsewhere: list[str] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
            page = await browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
            page.on("request", lambda r: None if r.url.startswith(base) else elsewhere.append(r.url))
            await page.goto(f"{base}/admin/login")
            await page.get_by_label("Name").fill("otto")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("link", name="Dashboard").click()
            await expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
            await page.get_by_role("link", name="Last 90 days").click()
            bars = page.locator("svg.chart rect")
            assert await bars.count() >= 60  # a bar per day that sold
            heights = [float(await bars.nth(i).get_attribute("height") or 0) for i in range(await bars.count())]
            assert max(heights) > 100 and min(heights) >= 0
            hover = await bars.nth(await bars.count() - 1).locator("title").text_content()
            assert hover and hover.startswith(("20", "0")) and ":" in hover
            forecast = page.locator("svg.chart g.forecast polyline")
            await expect(forecast).to_have_count(1)  # a flat forecast is a line of no height: "not visible"
            assert len((await forecast.get_attribute("points") or "").split()) == 28
            assert await page.locator("table.cohorts tbody tr").count() >= 1  # the demo's customers all start early
            await page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
            year = page.get_by_role("link", name="Last 365 days")
            await expect(year).to_be_in_viewport()
            await year.click()
            assert await bars.count() >= 300  # 18 months of history: a year of days that sold
            await page.screenshot(path=str(shots / "dashboard_365d.png"), full_page=True)
            await page.get_by_role("link", name="Last 90 days").click()
            async with page.expect_download() as info:
                await page.locator('a[href*="/dashboard/trend.csv"]').click()
            download = await info.value
            text = Path(await download.path()).read_text()
            assert text.splitlines()[0] == "day,orders,gross_minor" and len(text.splitlines()) > 60
            await browser.close()
    finally:
        await runner.cleanup()
    assert elsewhere == []
    assert (shots / "dashboard.png").stat().st_size > 20_000
