"""Bulk actions on the order list (each order through its own command, each answer reported) and saved views
(per staff member; two built in); the domain's refusals in Chinese for Chinese-reading staff."""

from __future__ import annotations

import re

from tests.integration.console.conftest import Console, StaffShop, paid_order


async def status_of(staffed: StaffShop, order_id: int) -> str:
    view = await staffed.small.shop.views.order(order_id)
    assert view is not None
    return view.status


def listed(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'href="/admin/orders/(\d+)"', html)}


async def test_an_approver_approves_several_and_each_order_is_reported(console: Console, staffed: StaffShop) -> None:
    small = staffed.small
    big1 = await paid_order(small, quantity=2, external_id="web-a", name="A")
    big2 = await paid_order(small, quantity=2, external_id="web-b", name="B")
    small_one = await paid_order(small, quantity=1, external_id="web-c", name="C")  # paid, needs no approval
    await console.sign_in("abe")
    _, html = await console.get("/orders")
    assert 'action="/admin/orders/bulk"' in html and f'name="order" value="{big1}"' in html
    csrf = await console.csrf("/orders")
    form = [
        ("csrf", csrf),
        ("action", "approve"),
        ("order", str(big1)),
        ("order", str(big2)),
        ("order", str(small_one)),
    ]
    async with console.http.post(console.url("/orders/bulk"), data=form, allow_redirects=False) as resp:
        assert resp.status == 200
        html = await resp.text()
    assert "2 of 3 done" in html
    rows = dict(re.findall(r'href="/admin/orders/(\d+)">#\d+</a></td>\s*<td>(.*?)</td>', html, re.S))
    assert "Done" in rows[str(big1)] and "Done" in rows[str(big2)]
    assert f"Order #{small_one} was already decided: it is paid." in rows[str(small_one)]
    assert [await status_of(staffed, o) for o in (big1, big2, small_one)] == ["approved", "approved", "paid"]


async def test_an_operator_marks_several_packed_in_chinese_and_a_refusal_is_in_chinese(
    console: Console, staffed: StaffShop
) -> None:
    small = staffed.small
    ready = await paid_order(small, quantity=1, external_id="web-a", name="A")
    not_picked = await paid_order(small, quantity=1, external_id="web-b", name="B")
    await console.sign_in("otto")
    csrf = await console.csrf(f"/orders/{ready}")
    await console.post(f"/orders/{ready}/picking", {"csrf": csrf})
    _, html = await console.get("/orders")
    assert "标记为已打包" in html and "批准</button>" not in html  # an operator packs but does not approve
    form = [("csrf", csrf), ("action", "packed"), ("order", str(ready)), ("order", str(not_picked))]
    async with console.http.post(console.url("/orders/bulk"), data=form, allow_redirects=False) as resp:
        html = await resp.text()
    assert "已完成 1 / 2" in html
    assert "订单当前为“已付款”，不能变为“已打包”。" in html
    assert await status_of(staffed, ready) == "packed" and await status_of(staffed, not_picked) == "paid"
    # A single refused action on the order page speaks Chinese too.
    csrf = await console.csrf(f"/orders/{ready}")
    status, html, _ = await console.post(f"/orders/{ready}/approve", {"csrf": csrf})
    assert status == 403 and "您的角色无权执行此操作。" in html


async def test_a_viewer_sees_no_bulk_buttons_and_a_forced_bulk_post_changes_nothing(
    console: Console, staffed: StaffShop
) -> None:
    order_id = await paid_order(staffed.small)
    await console.sign_in("viv")
    _, html = await console.get("/orders")
    assert "/orders/bulk" not in html and 'name="order"' not in html
    csrf = await console.csrf("/orders")
    form = [("csrf", csrf), ("action", "approve"), ("order", str(order_id))]
    async with console.http.post(console.url("/orders/bulk"), data=form, allow_redirects=False) as resp:
        assert resp.status == 403
    async with console.http.post(console.url("/orders/bulk"), data=form[1:], allow_redirects=False) as resp:
        assert resp.status == 403  # no CSRF token
    assert await status_of(staffed, order_id) == "awaiting_approval"


async def test_built_in_views_and_a_saved_view_of_ones_own(console: Console, staffed: StaffShop) -> None:
    small = staffed.small
    big = await paid_order(small, quantity=2, external_id="web-a", name="A")
    ready = await paid_order(small, quantity=1, external_id="web-b", name="B")
    unpaid = await small.checkout(await small.customer("web-c", "C"), sku="MUG-WHT")
    await console.sign_in("viv")
    _, html = await console.get("/orders")
    assert 'href="/admin/orders?state=paid&amp;state=approved"' in html and "To pick today" in html
    _, html = await console.get("/orders?state=paid&state=approved")
    assert listed(html) == {ready}
    _, html = await console.get("/orders?needs_approval=1")
    assert listed(html) == {big}
    csrf = await console.csrf("/orders?state=pending_payment")
    status, _, location = await console.post(
        "/views", {"csrf": csrf, "name": "Money due <b>", "query": "state=pending_payment&after=9"}
    )
    assert (status, location) == (303, "/admin/orders?state=pending_payment")
    _, html = await console.get("/orders")
    assert "Money due &lt;b&gt;" in html and 'href="/admin/orders?state=pending_payment"' in html
    _, html = await console.get("/orders?state=pending_payment")
    assert listed(html) == {unpaid}
    # Another staff member does not see it.
    await console.sign_in("abe")
    _, html = await console.get("/orders")
    assert "Money due" not in html
    await console.sign_in("viv")
    _, html = await console.get("/orders")
    view_id = re.search(r'action="/admin/views/(\d+)/delete"', html)
    assert view_id is not None
    csrf = await console.csrf("/orders")
    assert (await console.post(f"/views/{view_id.group(1)}/delete", {"csrf": csrf}))[0] == 303
    _, html = await console.get("/orders")
    assert "Money due" not in html
    status, html, _ = await console.post("/views", {"csrf": csrf, "name": "Nothing", "query": "after=5"})
    assert status == 409
