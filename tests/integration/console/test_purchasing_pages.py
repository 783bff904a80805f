"""The console's purchasing: suppliers, a purchase order drafted, sent and partly received into a warehouse and
bin through the forms (stock, ledger and average cost follow), the valuation page; the role decides the forms and
the domain refuses a viewer who posts anyway; CSRF on every form; what staff typed is shown escaped."""

from __future__ import annotations

import asyncio
import re

import aiohttp
from sqlalchemy import select

from domain import commands_purchasing as p
from domain.adapters import orm
from domain.adapters.purchasing_views import SqlPurchasingViews
from domain.model.staff import Actor, Role
from tests.integration.console.conftest import Console, StaffShop

BUYER = Actor.staff("abe", Role.APPROVER)


async def post_pairs(console: Console, path: str, pairs: list[tuple[str, str]]) -> tuple[int, str, str | None]:
    """A form with repeated fields (one ``sku`` and ``quantity`` per line), as a browser sends it."""
    form = aiohttp.FormData(pairs)
    async with console.http.post(console.url(path), data=form, allow_redirects=False) as resp:
        return resp.status, await resp.text(), resp.headers.get("Location")


async def on_hand(staffed: StaffShop, sku: str) -> dict[str, int]:
    stock = await staffed.small.shop.views.stock(sku)
    assert stock is not None
    return {row.warehouse_code: row.on_hand for row in stock.rows}


async def sent_po(staffed: StaffShop) -> int:
    bus = staffed.small.shop.bus
    supplier_id = await bus.handle(p.CreateSupplier("Stride Wholesale", "USD", actor=BUYER))
    lines = (p.POLineSpec("SHOE-RED-42", 10, 3000), p.POLineSpec("MUG-WHT", 6, 250))
    po_id = int(await bus.handle(p.CreatePurchaseOrder(supplier_id, lines, actor=BUYER)))
    await bus.handle(p.SendPurchaseOrder(po_id, actor=BUYER))
    return po_id


async def test_a_buyer_adds_a_supplier_drafts_sends_and_partly_receives_a_purchase_order_into_a_bin(
    console: Console, staffed: StaffShop
) -> None:
    await console.sign_in("abe")
    csrf = await console.csrf("/suppliers")
    form = {
        "csrf": csrf,
        "name": "Hearth & <Co>",
        "contact": "ops@hearth.test",
        "lead_time_days": "5",
        "currency": "usd",
    }
    status, _, location = await console.post("/suppliers", form)
    assert (status, location) == (303, "/admin/suppliers?done=created")
    status, html = await console.get("/suppliers")
    assert "Hearth &amp; &lt;Co&gt;" in html and "Supplier added." not in html
    supplier = (await SqlPurchasingViews(staffed.small.shop.sessions).suppliers())[0]

    csrf = await console.csrf("/purchase-orders/new")
    pairs = [("csrf", csrf), ("supplier", str(supplier.id)), ("expected_on", "2026-12-24"), ("note", "")]
    pairs += [("sku", "shoe-red-42"), ("quantity", "10"), ("unit_cost", "30.00")]
    pairs += [("sku", "MUG-WHT"), ("quantity", "6"), ("unit_cost", "2.50")]
    pairs += [("sku", ""), ("quantity", ""), ("unit_cost", "")]
    status, html, location = await post_pairs(console, "/purchase-orders", pairs)
    assert status == 303, html
    assert location is not None and location.endswith("?done=created")
    po_path = location.removeprefix("/admin").split("?")[0]
    status, html = await console.get(po_path)
    assert status == 200 and "draft" in html and "315.00 USD" in html
    assert 'action="/admin' + po_path + '/receive"' not in html  # a draft is sent before it is received

    csrf = await console.csrf(po_path)
    assert (await console.post(po_path + "/send", {"csrf": csrf}))[2] == f"/admin{po_path}?done=sent"
    status, html = await console.get(po_path)
    assert 'action="/admin' + po_path + '/receive"' in html
    before = await on_hand(staffed, "SHOE-RED-42")
    pairs = [("csrf", csrf), ("sku", "SHOE-RED-42"), ("quantity", "4"), ("sku", "MUG-WHT"), ("quantity", "0")]
    pairs += [("warehouse", "WEST"), ("bin", "c-01-2")]
    status, html, location = await post_pairs(console, po_path + "/receive", pairs)
    assert (status, location) == (303, f"/admin{po_path}?done=received"), html
    assert await on_hand(staffed, "SHOE-RED-42") == {**before, "WEST": before["WEST"] + 4}
    status, html = await console.get(po_path + "?done=received")
    assert "partially_received" in html and "C-01-2" in html

    M = orm.stock_movements.c
    async with staffed.small.shop.sessions() as session:
        last = (await session.execute(select(M.kind, M.d_on_hand, M.reason, M.actor).order_by(M.id.desc()))).first()
    assert last is not None and tuple(last) == ("receive", 4, "PO-" + po_path.rsplit("/", 1)[1].zfill(6), "abe")

    status, html = await console.get("/valuation")
    assert status == 200
    # WEST had 5 shoes from before purchasing: without a known cost they take the first receipt's (9 × 30.00).
    assert "C-01-2" in html and "30.00 USD" in html and "270.00 USD" in html


async def test_a_viewer_sees_no_purchasing_forms_and_a_posted_receipt_is_refused_by_the_domain(
    console: Console, staffed: StaffShop
) -> None:
    po_id = await sent_po(staffed)
    before = await on_hand(staffed, "SHOE-RED-42")
    await console.sign_in("viv")
    status, html = await console.get(f"/purchase-orders/{po_id}")
    assert status == 200
    assert "/receive" not in html and "You may look at purchasing but not change it." in html
    status, html = await console.get("/suppliers")
    assert 'action="/admin/suppliers"' not in html
    csrf = await console.csrf(f"/purchase-orders/{po_id}")
    pairs = [("csrf", csrf), ("sku", "SHOE-RED-42"), ("quantity", "4"), ("warehouse", "EAST"), ("bin", "")]
    status, html, _ = await post_pairs(console, f"/purchase-orders/{po_id}/receive", pairs)
    assert status == 403
    assert "A viewer may not manage purchasing; it takes an operator." in html
    assert await on_hand(staffed, "SHOE-RED-42") == before


async def test_a_receipt_without_the_sessions_csrf_token_is_refused_and_changes_nothing(
    console: Console, staffed: StaffShop
) -> None:
    po_id = await sent_po(staffed)
    before = await on_hand(staffed, "SHOE-RED-42")
    await console.sign_in("abe")
    for token in ([], [("csrf", "forged")]):
        pairs = [*token, ("sku", "SHOE-RED-42"), ("quantity", "4"), ("warehouse", "EAST")]
        status, html, _ = await post_pairs(console, f"/purchase-orders/{po_id}/receive", pairs)
        assert status == 403 and "nothing was changed" in html
    assert await on_hand(staffed, "SHOE-RED-42") == before
    detail = await SqlPurchasingViews(staffed.small.shop.sessions).purchase_order(po_id)
    assert detail is not None and detail.po.status == "sent"


async def test_receiving_more_than_is_outstanding_says_why_and_changes_nothing(
    console: Console, staffed: StaffShop
) -> None:
    po_id = await sent_po(staffed)
    before = await on_hand(staffed, "MUG-WHT")
    await console.sign_in("abe")
    csrf = await console.csrf(f"/purchase-orders/{po_id}")
    pairs = [("csrf", csrf), ("sku", "MUG-WHT"), ("quantity", "7"), ("warehouse", "EAST")]
    status, html, _ = await post_pairs(console, f"/purchase-orders/{po_id}/receive", pairs)
    assert status == 409
    assert "MUG-WHT: 7 received but only 6 of 6 outstanding." in html
    assert await on_hand(staffed, "MUG-WHT") == before


async def test_a_receipt_form_posted_twice_books_the_delivery_once(console: Console, staffed: StaffShop) -> None:
    po_id = await sent_po(staffed)
    path = f"/purchase-orders/{po_id}"
    before = await on_hand(staffed, "SHOE-RED-42")
    await console.sign_in("abe")
    status, html = await console.get(path)
    found = re.search(r'name="received_before" value="(\d+)"', html)
    assert found is not None and found.group(1) == "0"  # the form carries what it showed as received
    csrf = await console.csrf(path)
    form = [("csrf", csrf), ("received_before", found.group(1)), ("sku", "SHOE-RED-42"), ("quantity", "4")]
    form += [("sku", "MUG-WHT"), ("quantity", "0"), ("warehouse", "WEST"), ("bin", "")]
    first = await post_pairs(console, path + "/receive", form)
    second = await post_pairs(console, path + "/receive", form)  # the same form again: a double click
    assert first[2] == f"/admin{path}?done=received"
    assert second[2] == f"/admin{path}?changed=1"
    status, html = await console.get(path + "?changed=1")
    assert status == 200 and "nothing more was booked" in html
    assert await on_hand(staffed, "SHOE-RED-42") == {**before, "WEST": before["WEST"] + 4}

    # Both clicks of the next delivery in flight at once: the purchase order's row lock lets one through.
    found = re.search(r'name="received_before" value="(\d+)"', html)
    assert found is not None and found.group(1) == "4"
    form = [("csrf", csrf), ("received_before", "4"), ("sku", "SHOE-RED-42"), ("quantity", "3")]
    form += [("warehouse", "WEST"), ("bin", "")]
    answers = await asyncio.gather(*(post_pairs(console, path + "/receive", form) for _ in range(2)))
    assert sorted(str(a[2]) for a in answers) == [f"/admin{path}?changed=1", f"/admin{path}?done=received"]
    assert await on_hand(staffed, "SHOE-RED-42") == {**before, "WEST": before["WEST"] + 7}
    detail = await SqlPurchasingViews(staffed.small.shop.sessions).purchase_order(po_id)
    assert detail is not None and [r.quantity for r in detail.receipts] == [4, 3]
    assert detail.lines[0].received == 7 and detail.po.status == "partially_received"


async def test_purchase_orders_are_listed_by_state_and_in_the_staff_members_language(
    console: Console, staffed: StaffShop
) -> None:
    po_id = await sent_po(staffed)
    await console.sign_in("otto")  # otto's console speaks Chinese
    status, html = await console.get("/purchase-orders?state=sent")
    assert status == 200 and f"PO-{po_id:06d}" in html and "采购单" in html and "已发送" in html
    status, html = await console.get("/purchase-orders?state=draft")
    assert f"PO-{po_id:06d}" not in html
    status, html = await console.get("/purchase-orders?state=bogus")
    assert status == 409
