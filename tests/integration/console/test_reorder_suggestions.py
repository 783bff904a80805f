"""Reorder suggestions in the console: SKUs below their reorder point listed with supplier, days of cover and
reasons (escaped); one button drafts one purchase order per supplier, a replay of the same form drafts nothing
more, a SKU without supplier is listed and skipped, a viewer sees no button and the domain refuses its post."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import aiohttp
from sqlalchemy import func, select

from chatshop.cli_forecast import forecast_all
from domain import commands_purchasing as p
from domain import commands_reorder as r
from domain.adapters.orm_purchasing import purchase_order_lines, purchase_orders
from domain.model.staff import Actor, Role
from tests.integration.console.conftest import Console, StaffShop
from tests.integration.forecasting.history import record_sales, weekly

BUYER = Actor.staff("abe", Role.APPROVER)


async def forecast_with_suppliers(staffed: StaffShop) -> tuple[int, int]:
    shop = staffed.small.shop
    end = shop.clock.now().date()
    for sku, seed in (("SHOE-RED-42", 1), ("SHOE-BLU-42", 2), ("MUG-WHT", 3)):
        await record_sales(shop, sku, weekly(120, seed=seed), end=end - timedelta(days=1))
    hearth = await shop.bus.handle(p.CreateSupplier("Hearth & <Co>", "USD", lead_time_days=5, actor=BUYER))
    stride = await shop.bus.handle(p.CreateSupplier("Stride Wholesale", "USD", lead_time_days=10, actor=BUYER))
    await shop.bus.handle(r.SetVariantSourcing("MUG-WHT", hearth, pack_size=12, unit_cost=250, actor=BUYER))
    await shop.bus.handle(r.SetVariantSourcing("SHOE-RED-42", stride, unit_cost=3000, actor=BUYER))
    await forecast_all(shop)
    return hearth, stride


async def post_form(console: Console, html: str) -> tuple[int, str | None]:
    csrf = re.findall(r'name="csrf" value="([^"]+)"', html)[-1]
    key = re.search(r'name="key" value="([^"]+)"', html)
    picks = re.findall(r'name="pick" value="([^"]+)"', html)
    assert key is not None
    form = aiohttp.FormData([("csrf", csrf), ("key", key.group(1)), *(("pick", v) for v in picks)])
    async with console.http.post(console.url("/purchasing/suggestions"), data=form, allow_redirects=False) as resp:
        return resp.status, resp.headers.get("Location")


async def purchase_order_lines_by_supplier(staffed: StaffShop) -> dict[int, list[tuple[str, int]]]:
    async with staffed.small.shop.sessions() as session:
        rows = await session.execute(
            select(purchase_orders.c.supplier_id, purchase_order_lines.c.sku, purchase_order_lines.c.quantity)
            .join(purchase_orders, purchase_orders.c.id == purchase_order_lines.c.po_id)
            .where(purchase_orders.c.status == "draft")
            .order_by(purchase_order_lines.c.sku)
        )
        found: dict[int, list[tuple[str, int]]] = {}
        for supplier_id, sku, quantity in rows:
            found.setdefault(int(supplier_id), []).append((sku, int(quantity)))
        return found


async def test_suggestions_become_one_draft_purchase_order_per_supplier_once(
    console: Console, staffed: StaffShop
) -> None:
    hearth, stride = await forecast_with_suppliers(staffed)
    await console.sign_in("abe")
    status, html = await console.get("/purchasing/suggestions")
    assert status == 200, html
    assert "Hearth &amp; &lt;Co&gt;" in html and "Hearth & <Co>" not in html
    assert "SHOE-BLU-42" in html and "No supplier, so listed but not ordered:" in html
    assert 'value="SHOE-BLU-42:' not in html  # listed, never ticked
    assert "Days of cover" in html and "reorder point" in html
    picks = re.findall(r'name="pick" value="([^"]+)"', html)
    assert {v.split(":")[0] for v in picks} == {"SHOE-RED-42", "MUG-WHT"}
    assert len([v for v in picks if v.startswith("SHOE-RED-42:")]) == 2  # EAST and WEST

    status, location = await post_form(console, html)
    assert status == 303 and location is not None and "drafted=" in location
    drafted = await purchase_order_lines_by_supplier(staffed)
    assert set(drafted) == {hearth, stride}
    [(mug, mugs)] = drafted[hearth]
    assert mug == "MUG-WHT" and mugs % 12 == 0  # Hearth sells mugs by the dozen
    shoes = sum(int(v.split(":")[1]) for v in picks if v.startswith("SHOE-RED-42:"))
    assert drafted[stride] == [("SHOE-RED-42", shoes)]  # both warehouses' needs on one line

    again, location_again = await post_form(console, html)  # the same form sent twice
    assert (again, location_again) == (303, location)
    async with staffed.small.shop.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(purchase_orders))).scalar_one() == 2

    status, html = await console.get(location.removeprefix("/admin"))
    assert "PO-000001" in html and "PO-000002" in html


async def test_the_same_form_sent_twice_at_once_drafts_one_set_of_orders_and_both_answers_name_it(
    staffed: StaffShop,
) -> None:
    hearth, stride = await forecast_with_suppliers(staffed)
    shop = staffed.small.shop
    form = r.DraftReorderPurchaseOrders((("MUG-WHT", 24), ("SHOE-RED-42", 5)), key="double-click-key-1", actor=BUYER)
    first, second = await asyncio.gather(shop.bus.handle(form), shop.bus.handle(form))
    assert first.po_ids == second.po_ids and len(first.po_ids) == 2
    assert first.replayed != second.replayed  # one drafted, the other was told what the first drafted
    assert set(await purchase_order_lines_by_supplier(staffed)) == {hearth, stride}
    async with shop.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(purchase_orders))).scalar_one() == 2


async def test_a_viewer_sees_the_suggestions_without_the_button_and_the_domain_refuses_its_post(
    console: Console, staffed: StaffShop
) -> None:
    await forecast_with_suppliers(staffed)
    await console.sign_in("otto")  # Chinese
    status, html = await console.get("/purchasing/suggestions")
    assert status == 200 and "补货建议" in html and "没有供应商，仅列出不下单" in html and "创建采购单草稿" in html
    await console.sign_in("viv")
    status, html = await console.get("/purchasing/suggestions")
    assert status == 200 and "SHOE-RED-42" in html
    assert "Create draft purchase orders" not in html and 'name="pick"' not in html
    csrf = re.findall(r'name="csrf" value="([^"]+)"', html)[-1]
    form = {"csrf": csrf, "key": "a-viewer-key-123", "pick": "SHOE-RED-42:10"}
    status, body, _ = await console.post("/purchasing/suggestions", form)
    assert status == 403 and "may not manage purchasing" in body
    async with staffed.small.shop.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(purchase_orders))).scalar_one() == 0
