"""/api/docs in a real browser: Swagger UI renders our document with every request to our own server."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from admin_api.rest.settings import ApiSettings
from chatshop.api_wiring import mount_admin_api
from chatshop.web import create_app
from tests.integration.api.conftest import serve
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow


async def test_the_docs_page_lists_the_operations_and_loads_nothing_from_elsewhere(
    small: SmallShop, tmp_path: Path
) -> None:
    app = create_app(small.shop, [], media_dir=tmp_path / "media")
    mount_admin_api(app, small.shop, ApiSettings(_env_file=None))  # type: ignore[call-arg]
    runner, base = await serve(app)
    elsewhere: list[str] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
            page = await browser.new_page()
            page.on("request", lambda r: None if r.url.startswith((base, "data:")) else elsewhere.append(r.url))
            await page.goto(f"{base}/api/docs")
            await page.get_by_text("List orders").first.wait_for(timeout=20_000)
            assert await page.get_by_text("Ship an order with carrier and tracking number").count() == 1
            await browser.close()
    finally:
        await runner.cleanup()
    assert elsewhere == []
