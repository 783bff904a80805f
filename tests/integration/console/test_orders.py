"""The console's orders: the role decides the buttons, the domain decides what happens; filters and paging;
CSRF on every form; shopper-supplied text escaped; the staff member's language."""

from __future__ import annotations

import pytest

from admin_api.console.settings import ConsoleSettings
from domain import commands as c
from tests.integration.console.conftest import Console, StaffShop, paid_order


async def status_of(staffed: StaffShop, order_id: int) -> str:
    view = await staffed.small.shop.views.order(order_id)
    assert view is not None
    return view.status


async def test_a_viewer_sees_no_approve_button_and_a_posted_approve_is_refused_by_the_domain(
    console: Console, staffed: StaffShop
) -> None:
    order_id = await paid_order(staffed.small)
    assert await status_of(staffed, order_id) == "awaiting_approval"
    await console.sign_in("viv")
    status, html = await console.get(f"/orders/{order_id}")
    assert status == 200
    assert f"/orders/{order_id}/approve" not in html and ">Approve<" not in html
    assert "You may look at this order but not change it." in html
    csrf = await console.csrf(f"/orders/{order_id}")
    status, html, _ = await console.post(f"/orders/{order_id}/approve", {"csrf": csrf})
    assert status == 403
    assert "A viewer may not approve orders; it takes an approver." in html
    assert await status_of(staffed, order_id) == "awaiting_approval"


async def test_an_approver_approves_an_order_awaiting_approval(console: Console, staffed: StaffShop) -> None:
    order_id = await paid_order(staffed.small)
    await console.sign_in("abe")
    status, html = await console.get(f"/orders/{order_id}")
    assert f'action="/admin/orders/{order_id}/approve"' in html
    csrf = await console.csrf(f"/orders/{order_id}")
    status, _, location = await console.post(f"/orders/{order_id}/approve", {"csrf": csrf})
    assert (status, location) == (303, f"/admin/orders/{order_id}?done=approved")
    assert await status_of(staffed, order_id) == "approved"
    status, html = await console.get(f"/orders/{order_id}?done=approved")
    assert "Done: approved" in html
    assert f'action="/admin/orders/{order_id}/approve"' not in html


async def test_approving_twice_says_why_not_and_changes_nothing(console: Console, staffed: StaffShop) -> None:
    order_id = await paid_order(staffed.small)
    await console.sign_in("abe")
    csrf = await console.csrf(f"/orders/{order_id}")
    assert (await console.post(f"/orders/{order_id}/approve", {"csrf": csrf}))[0] == 303
    status, html, _ = await console.post(f"/orders/{order_id}/approve", {"csrf": csrf})
    assert status == 409
    assert "Could not do that" in html
    assert await status_of(staffed, order_id) == "approved"


@pytest.mark.parametrize("token", [None, "", "forged"], ids=["missing", "empty", "wrong"])
async def test_a_form_without_the_sessions_csrf_token_is_refused_and_nothing_changes(
    console: Console, staffed: StaffShop, token: str | None
) -> None:
    order_id = await paid_order(staffed.small)
    await console.sign_in("abe")
    form = {} if token is None else {"csrf": token}
    status, html, _ = await console.post(f"/orders/{order_id}/approve", form)
    assert status == 403
    assert "nothing was changed" in html
    assert await status_of(staffed, order_id) == "awaiting_approval"


async def test_an_operator_picks_packs_and_ships_with_carrier_and_tracking(
    console: Console, staffed: StaffShop
) -> None:
    order_id = await paid_order(staffed.small, quantity=1)  # 80.00 + shipping: no approval needed
    assert await status_of(staffed, order_id) == "paid"
    await console.sign_in("otto")
    for step in ("picking", "packed"):
        csrf = await console.csrf(f"/orders/{order_id}")
        assert (await console.post(f"/orders/{order_id}/{step}", {"csrf": csrf}))[0] == 303
    csrf = await console.csrf(f"/orders/{order_id}")
    form = {"csrf": csrf, "carrier": "ups", "tracking_number": "1Z999AA10123456784"}
    assert (await console.post(f"/orders/{order_id}/ship", form))[0] == 303
    assert await status_of(staffed, order_id) == "shipped"
    _, html = await console.get(f"/orders/{order_id}")
    assert "1Z999AA10123456784" in html


async def test_an_operator_may_not_approve_even_by_posting(console: Console, staffed: StaffShop) -> None:
    order_id = await paid_order(staffed.small)
    await console.sign_in("otto")
    _, html = await console.get(f"/orders/{order_id}")
    assert f"/orders/{order_id}/approve" not in html
    csrf = await console.csrf(f"/orders/{order_id}")
    status, html, _ = await console.post(f"/orders/{order_id}/approve", {"csrf": csrf})
    assert status == 403
    assert "An operator may not approve orders; it takes an approver." in html
    assert await status_of(staffed, order_id) == "awaiting_approval"


async def test_a_rejection_reason_typed_by_staff_is_shown_escaped(console: Console, staffed: StaffShop) -> None:
    order_id = await paid_order(staffed.small)
    await console.sign_in("abe")
    csrf = await console.csrf(f"/orders/{order_id}")
    hostile = "<script>alert(1)</script> & co"
    assert (await console.post(f"/orders/{order_id}/reject", {"csrf": csrf, "reason": hostile}))[0] == 303
    _, html = await console.get(f"/orders/{order_id}")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


async def test_an_unknown_order_is_a_404_page(console: Console) -> None:
    await console.sign_in("abe")
    assert (await console.get("/orders/999999"))[0] == 404
    assert (await console.get("/orders/abc"))[0] == 404


@pytest.mark.parametrize(
    "console_settings",
    [ConsoleSettings(page_size=5, _env_file=None)],
    ids=["5-a-page"],  # type: ignore[call-arg]
)
async def test_the_list_filters_by_state_approval_channel_dates_and_search_and_pages(
    console: Console, staffed: StaffShop
) -> None:
    small = staffed.small
    big = await paid_order(small, quantity=2, external_id="web-big", name="Bea Big")
    mug_customer = await small.customer("web-mug", "Mo Mugs")
    mug = await small.checkout(mug_customer, sku="MUG-WHT")
    many = [await small.checkout(await small.customer(f"web-{i}", f"P{i}"), sku="MUG-WHT") for i in range(6)]
    await console.sign_in("viv")

    def ids(html: str) -> set[int]:
        import re

        return {int(x) for x in re.findall(r'href="/admin/orders/(\d+)"', html)}

    _, html = await console.get("/orders?needs_approval=1")
    assert ids(html) == {big}
    _, html = await console.get("/orders?state=pending_payment&q=mo+mug")
    assert ids(html) == {mug}
    _, html = await console.get("/orders?q=shoe-red-42")
    assert ids(html) == {big}
    _, html = await console.get(f"/orders?q=%23{mug}")
    assert ids(html) == {mug}
    _, html = await console.get("/orders?channel=telegram")
    assert ids(html) == set()
    assert "No orders match these filters." in html
    _, html = await console.get("/orders?from=2026-11-02&until=2026-11-02")
    assert len(ids(html)) == 5 and ids(html) <= {big, mug, *many}  # the clock's day; a page holds 5
    _, html = await console.get("/orders?until=2026-11-01")
    assert ids(html) == set()
    _, first = await console.get("/orders?state=pending_payment")
    assert len(ids(first)) == 5
    import re

    more = re.search(r'href="([^"]+)" rel="next"', first)
    assert more is not None
    _, second = await console.get(more.group(1).replace("&amp;", "&").removeprefix("/admin"))
    assert ids(first) | ids(second) == {mug, *many}
    assert ids(first) & ids(second) == set()
    status, html = await console.get("/orders?state=nonsense")
    assert status == 409


async def test_staff_whose_language_is_chinese_see_the_console_in_chinese(console: Console, staffed: StaffShop) -> None:
    order_id = await paid_order(staffed.small, quantity=1)
    await console.sign_in("otto")
    _, html = await console.get("/orders")
    assert '<html lang="zh-CN">' in html
    assert "筛选订单" in html and "已登录：otto（操作员）" in html
    _, html = await console.get(f"/orders/{order_id}")
    assert "开始拣货" in html


async def test_the_sign_in_page_speaks_the_browsers_language(console: Console) -> None:
    async with console.http.get(console.url("/login"), headers={"Accept-Language": "zh-CN,zh;q=0.9"}) as resp:
        assert "登录" in await resp.text()


async def test_a_deactivated_approvers_open_page_can_no_longer_approve(console: Console, staffed: StaffShop) -> None:
    order_id = await paid_order(staffed.small)
    await console.sign_in("abe")
    csrf = await console.csrf(f"/orders/{order_id}")
    await staffed.small.shop.bus.handle(c.DeactivateStaff(staffed.ids["abe"], actor=c.SYSTEM))
    status, _, location = await console.post(f"/orders/{order_id}/approve", {"csrf": csrf})
    assert status == 303 and location is not None and location.startswith("/admin/login")
    assert await status_of(staffed, order_id) == "awaiting_approval"


async def test_a_hostile_customer_name_is_shown_escaped_in_the_list(console: Console, staffed: StaffShop) -> None:
    hostile = '<img src=x onerror="alert(1)"> & "Eve"'
    order_id = await paid_order(staffed.small, quantity=1, external_id="web-eve", name=hostile)
    await console.sign_in("viv")
    _, html = await console.get(f"/orders?q=%23{order_id}")
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &#34;Eve&#34;" in html
