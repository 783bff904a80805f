"""Every console page on a phone (390×844 in a real Chromium): the page body never scrolls sideways (wide tables
scroll inside their own box), and each primary button can be brought into view with the wheel and pressed where
it is drawn. With CHATSHOP_UPDATE_SCREENSHOT=1 docs/console/phone-orders.png and phone-order.png are refreshed."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Locator, Page, async_playwright, expect

from admin_api.console.settings import ConsoleSettings
from chatshop.console_wiring import mount_console
from chatshop.web import create_app
from domain import commands as c
from domain import commands_purchasing as p
from domain.model.staff import Actor, Role
from tests.e2e.person import Person
from tests.e2e.test_console_browser import DOCS, UPDATE_SCREENSHOT
from tests.integration.api.conftest import serve
from tests.integration.console.conftest import PASSWORD, paid_order, staff_up
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow
PHONE = {"width": 390, "height": 844}
BUYER = Actor.staff("abe", Role.APPROVER)

# How far the page itself reaches sideways, and which elements stick out of the window (to name the culprit).
SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  document.querySelectorAll("body *").forEach((el) => {
    const r = el.getBoundingClientRect();
    if (r.right > width + 1 && r.width > 0) {
      let a = el.parentElement, inside = false;
      for (; a && a !== document.body; a = a.parentElement) {
        const s = getComputedStyle(a);
        if (s.overflowX === "auto" || s.overflowX === "scroll" || s.overflowX === "hidden") { inside = true; break; }
      }
      if (!inside) wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "") +
        " → " + Math.round(r.right));
    }
  });
  const scroll = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
  return {scroll, width, wide: wide.slice(0, 8)};
}"""


async def reachable(page: Page, button: Locator, what: str) -> None:
    """Wheel the page until ``button`` is wholly in the window, then check it is drawn there, uncovered."""
    for _ in range(40):
        box = await button.bounding_box()
        assert box is not None, f"{what} is not drawn"
        if box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]:
            break
        await page.mouse.move(PHONE["width"] / 2, PHONE["height"] / 2)
        await page.mouse.wheel(0, box["y"] - PHONE["height"] / 3)
        await page.wait_for_timeout(60)
    else:
        raise AssertionError(f"{what} never came into view")
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 0.5, f"{what} sticks out sideways: {box}"
    hit = await button.evaluate(
        "(b) => { const r = b.getBoundingClientRect();"
        " const h = document.elementFromPoint((r.left + r.right) / 2, (r.top + r.bottom) / 2);"
        " return !!h && b.contains(h); }"
    )
    assert hit, f"{what} is covered where it is drawn"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_every_console_page_fits_a_phone_and_its_primary_buttons_are_reachable(
    small: SmallShop, tmp_path: Path
) -> None:
    await staff_up(small)
    bus = small.shop.bus
    order = await paid_order(small, quantity=2, external_id="web-a", name="Ann Lee-Montgomery-Featherstonehaugh")
    view = await small.shop.views.order(order)
    assert view is not None
    ticket = await bus.handle(c.OpenTicket(view.customer_id, "webchat", "web-a", "Where is my parcel?", ()))
    supplier = await bus.handle(
        p.CreateSupplier("Stride Wholesale International", "USD", "orders@stride.test", 10, actor=BUYER)
    )
    po = int(await bus.handle(p.CreatePurchaseOrder(supplier, (p.POLineSpec("SHOE-RED-42", 12, 3000),), actor=BUYER)))
    await bus.handle(p.SendPurchaseOrder(po, actor=BUYER))
    pages = [
        "/orders",
        f"/orders/{order}",
        "/stock",
        "/stock/SHOE-RED-42",
        "/customers",
        f"/customers/{view.customer_id}",
        "/support",
        f"/support/{ticket}",
        "/account/totp",
        "/suppliers",
        "/purchase-orders",
        "/purchase-orders/new",
        f"/purchase-orders/{po}",
        "/valuation",
        "/paperwork",
        "/dashboard",
        "/campaigns",
        "/campaigns/new",
        "/purchasing/suggestions",
        "/customers/at-risk",
        "/stock/markdowns",
    ]
    app = create_app(small.shop, [], media_dir=tmp_path / "media")
    mount_console(app, small.shop, ConsoleSettings(_env_file=None))  # type: ignore[call-arg]
    runner, base = await serve(app)
    shots = DOCS if UPDATE_SCREENSHOT else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
            page = await browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
            person = Person(page, tmp_path, "phone")
            await page.goto(f"{base}/admin/login")
            await person.tap(page.get_by_label("Name"), "the name box")
            await page.keyboard.type("abe")
            await person.tap(page.get_by_label("Password"), "the password box")
            await page.keyboard.type(PASSWORD)
            await person.press(page.locator("main"), "Sign in")
            await expect(page.get_by_role("heading", name="Orders")).to_be_visible()
            for path in pages:
                response = await page.goto(f"{base}/admin{path}")
                assert response is not None and response.status == 200, path
                sideways = await page.evaluate(SIDEWAYS)
                if sideways["scroll"] > sideways["width"] + 1:
                    problems.append(f"{path}: the page is {sideways['scroll']} px wide: {sideways['wide']}")
                buttons = page.locator("main button.primary:visible")
                for i in range(await buttons.count()):
                    label = (await buttons.nth(i).inner_text()).strip()
                    try:
                        await reachable(page, buttons.nth(i), f"{path} {label!r}")
                    except AssertionError as exc:
                        problems.append(str(exc))
                if path == "/orders":
                    await page.evaluate("window.scrollTo(0, 0)")
                    await page.screenshot(path=str(shots / "phone-orders.png"))
                if path == f"/orders/{order}":
                    await page.evaluate("window.scrollTo(0, 0)")
                    await page.screenshot(path=str(shots / "phone-order.png"), full_page=True)
            await browser.close()
    finally:
        await runner.cleanup()
    assert problems == [], "\n".join(problems)
