"""Warehouse paperwork: the pick list of a batch of orders merges their lines by SKU and walks the bins in order;
pick lists and packing slips come as PDF with the order number's barcode; printing is recorded on each order
(``OrderDocumentPrinted``, who and what); a viewer can't print; CSRF; shopper text escaped on the page."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from domain import commands as c
from domain import commands_purchasing as p
from domain.adapters import orm
from domain.adapters.orm_purchasing import order_documents
from domain.adapters.purchasing_views import SqlPurchasingViews
from domain.model.staff import Actor
from tests.integration.console.conftest import Console, StaffShop, paid_order


async def post_pairs(console: Console, path: str, pairs: list[tuple[str, str]]) -> tuple[int, bytes, str]:
    async with console.http.post(console.url(path), data=aiohttp.FormData(pairs), allow_redirects=False) as resp:
        return resp.status, await resp.read(), resp.headers.get("Content-Type", "")


async def batch(staffed: StaffShop) -> list[int]:
    """Three paid orders allocated in EAST: 1 shoe, 2 shoes + 3 mugs (split over two SKUs), 4 mugs."""
    small = staffed.small
    first = await paid_order(small, quantity=1, external_id="web-1", name="Ann")
    ann_id = await small.customer("web-2", "<script>alert(1)</script> Bo")
    await small.shop.bus.handle(c.AddToCart(ann_id, "MUG-WHT", 3, actor=Actor.shopper(ann_id)))
    second = await paid_order(small, quantity=2, external_id="web-2", name="<script>alert(1)</script> Bo")
    third = await paid_order_of_mugs(staffed, 4)
    bus = small.shop.bus
    await bus.handle(p.SetBinLocation("MUG-WHT", "EAST", "A-10-1", actor=c.SYSTEM))
    await bus.handle(p.SetBinLocation("SHOE-RED-42", "EAST", "A-2-4", actor=c.SYSTEM))
    return [first, second, third]


async def paid_order_of_mugs(staffed: StaffShop, quantity: int) -> int:
    small = staffed.small
    customer_id = await small.customer("web-3", "Cy")
    order_id = await small.checkout(customer_id, sku="MUG-WHT", quantity=quantity)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    order = await small.shop.views.order(order_id)
    assert order is not None
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, "USD"))
    return order_id


async def printed(staffed: StaffShop) -> list[tuple[int, str, str, str]]:
    D = order_documents.c
    async with staffed.small.shop.sessions() as session:
        rows = await session.execute(select(D.order_id, D.document, D.warehouse, D.actor).order_by(D.id))
    return [tuple(r) for r in rows]  # type: ignore[misc]


def pdf_text(body: bytes, tmp_path: Path) -> str:
    """The PDF's text as pdftotext reads it (poppler-utils), or "" where it is not installed."""
    if shutil.which("pdftotext") is None:
        return ""
    path = tmp_path / "doc.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


async def test_a_pick_list_merges_the_batchs_lines_by_sku_in_bin_order(staffed: StaffShop) -> None:
    orders = await batch(staffed)
    views = SqlPurchasingViews(staffed.small.shop.sessions)
    pick = await views.pick_list("east", [*orders, 999])
    assert pick is not None
    assert (pick.warehouse, pick.order_ids, pick.skipped) == ("EAST", tuple(orders), (999,))
    assert [(r.bin, r.sku, r.quantity, r.order_ids) for r in pick.rows] == [
        ("A-2-4", "SHOE-RED-42", 3, (orders[0], orders[1])),
        ("A-10-1", "MUG-WHT", 7, (orders[1], orders[2])),
    ]
    west = await views.pick_list("WEST", orders)
    assert west is not None and west.rows == () and west.skipped == tuple(orders)
    assert await views.pick_list("NOWHERE", orders) is None


async def test_an_operator_prints_a_pick_list_as_pdf_and_it_is_recorded_on_each_order(
    console: Console, staffed: StaffShop, tmp_path: Path
) -> None:
    orders = await batch(staffed)
    await console.sign_in("abe")
    status, html = await console.get("/paperwork?warehouse=EAST")
    assert status == 200
    assert all(f'name="order" value="{oid}"' in html for oid in orders)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bo" in html and "<script>alert" not in html
    csrf = await console.csrf("/paperwork?warehouse=EAST")
    pairs = [("csrf", csrf), ("warehouse", "EAST"), *(("order", str(oid)) for oid in orders)]
    status, body, content_type = await post_pairs(console, "/orders/pick-list.pdf", pairs)
    assert status == 200 and content_type == "application/pdf" and body.startswith(b"%PDF-")
    text = pdf_text(body, tmp_path)
    if text:
        assert text.index("A-2-4") < text.index("A-10-1")
        assert "SHOE-RED-42" in text and "Printed by abe" in text
    assert await printed(staffed) == [(oid, "pick_list", "EAST", "abe") for oid in orders]
    box = orm.outbox.c
    async with staffed.small.shop.sessions() as session:
        payloads = (await session.execute(select(box.payload).where(box.name == "OrderDocumentPrinted"))).scalars()
        assert sorted(pl["order_id"] for pl in payloads) == orders


async def test_a_packing_slip_per_order_and_allocation_is_a_pdf_with_the_address(
    console: Console, staffed: StaffShop, tmp_path: Path
) -> None:
    orders = await batch(staffed)
    await console.sign_in("otto")  # in Chinese
    csrf = await console.csrf("/paperwork")
    status, body, content_type = await post_pairs(console, f"/orders/{orders[1]}/packing-slip.pdf", [("csrf", csrf)])
    assert status == 200 and content_type == "application/pdf" and body.startswith(b"%PDF-")
    text = pdf_text(body, tmp_path)
    if text:
        assert "装箱单" in text and "Ann Shopper" in text and "1 Main Street" in text and "MUG-WHT" in text
    assert await printed(staffed) == [(orders[1], "packing_slip", "", "otto")]
    slip = await SqlPurchasingViews(staffed.small.shop.sessions).packing_slip(orders[1])
    assert slip is not None
    assert [(pc.warehouse, [(ln.sku, ln.quantity, ln.bin) for ln in pc.lines]) for pc in slip.parcels] == [
        ("EAST", [("SHOE-RED-42", 2, "A-2-4"), ("MUG-WHT", 3, "A-10-1")])
    ]


async def test_a_viewer_sees_no_print_buttons_and_a_posted_print_is_refused_and_not_recorded(
    console: Console, staffed: StaffShop
) -> None:
    orders = await batch(staffed)
    await console.sign_in("viv")
    status, html = await console.get("/paperwork")
    assert status == 200 and "Print pick list" not in html
    csrf = await console.csrf("/paperwork")
    pairs = [("csrf", csrf), ("warehouse", "EAST"), ("order", str(orders[0]))]
    status, body, content_type = await post_pairs(console, "/orders/pick-list.pdf", pairs)
    assert status == 403 and content_type.startswith("text/html")
    assert b"A viewer may not fulfil orders; it takes an operator." in body
    assert await printed(staffed) == []


@pytest.mark.parametrize("token", [None, "forged"], ids=["missing", "wrong"])
async def test_printing_without_the_sessions_csrf_token_is_refused(
    console: Console, staffed: StaffShop, token: str | None
) -> None:
    orders = await batch(staffed)
    await console.sign_in("abe")
    pairs = [("warehouse", "EAST"), ("order", str(orders[0]))] + ([("csrf", token)] if token else [])
    status, body, _ = await post_pairs(console, "/orders/pick-list.pdf", pairs)
    assert status == 403 and b"nothing was changed" in body
    assert await printed(staffed) == []


async def test_the_order_page_offers_its_packing_slip_to_staff_who_fulfil_and_not_to_a_viewer(
    console: Console, staffed: StaffShop
) -> None:
    orders = await batch(staffed)
    await console.sign_in("abe")
    status, html = await console.get(f"/orders/{orders[0]}")
    assert status == 200 and f'action="/admin/orders/{orders[0]}/packing-slip.pdf"' in html
    await console.sign_in("viv")  # a viewer: a new session replaces abe's
    status, html = await console.get(f"/orders/{orders[0]}")
    assert status == 200 and "packing-slip.pdf" not in html
