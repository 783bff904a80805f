"""An order's page shows what happened to it, when and by whom; approvers refund from it, in part or in full,
through the domain's refund command; other roles see no refund form and are refused if they post one."""

from __future__ import annotations

import re

from tests.integration.console.conftest import Console, StaffShop, paid_order


async def refunded(staffed: StaffShop, order_id: int) -> int:
    view = await staffed.small.shop.views.order(order_id)
    assert view is not None
    return view.refunded


def timeline(html: str) -> str:
    found = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S)
    assert found, html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))


async def test_the_timeline_shows_each_step_with_who_did_it_oldest_first(console: Console, staffed: StaffShop) -> None:
    order_id = await paid_order(staffed.small)  # 160.00 + shipping: waits for approval
    await console.sign_in("abe")
    csrf = await console.csrf(f"/orders/{order_id}")
    assert (await console.post(f"/orders/{order_id}/approve", {"csrf": csrf}))[0] == 303
    await console.sign_in("otto")
    for step in ("picking", "packed"):
        csrf = await console.csrf(f"/orders/{order_id}")
        assert (await console.post(f"/orders/{order_id}/{step}", {"csrf": csrf}))[0] == 303
    csrf = await console.csrf(f"/orders/{order_id}")
    form = {"csrf": csrf, "carrier": "ups", "tracking_number": "1Z999AA10123456784"}
    assert (await console.post(f"/orders/{order_id}/ship", form))[0] == 303
    await console.sign_in("viv")
    _, html = await console.get(f"/orders/{order_id}")
    text = timeline(html)
    expected = [
        "Order placed",
        "Paid",
        "Waits for approval",
        "Awaiting approval → Approved by abe",
        "Approved → Picking by otto",
        "Picking → Packed by otto",
        "Shipped with ups, tracking 1Z999AA10123456784",
        "Packed → Shipped by otto",
    ]
    positions = [text.find(words) for words in expected]
    assert -1 not in positions, text
    assert positions == sorted(positions), text


async def test_an_approver_refunds_part_of_an_order_in_its_currency_and_the_timeline_says_so(
    console: Console, staffed: StaffShop
) -> None:
    order_id = await paid_order(staffed.small, quantity=1)
    await console.sign_in("abe")
    _, html = await console.get(f"/orders/{order_id}")
    assert f'action="/admin/orders/{order_id}/refund"' in html
    csrf = await console.csrf(f"/orders/{order_id}")
    form = {"csrf": csrf, "amount": "12.50", "reason": "scuffed box", "key": "form-1"}
    status, _, location = await console.post(f"/orders/{order_id}/refund", form)
    assert (status, location) == (303, f"/admin/orders/{order_id}?done=refund_succeeded")
    assert await refunded(staffed, order_id) == 1250
    # The same form sent again (a double click) is the same refund, not a second one.
    assert (await console.post(f"/orders/{order_id}/refund", form))[0] == 303
    assert await refunded(staffed, order_id) == 1250
    _, html = await console.get(f"/orders/{order_id}?done=refund_succeeded")
    assert "Done: refund succeeded" in html
    text = timeline(html)
    assert "Refund of 12.50 USD asked: scuffed box by abe" in text
    assert "Refund of 12.50 USD succeeded by abe" in text


async def test_an_empty_amount_refunds_everything_still_refundable_and_the_form_goes_away(
    console: Console, staffed: StaffShop
) -> None:
    order_id = await paid_order(staffed.small, quantity=1)
    view = await staffed.small.shop.views.order(order_id)
    assert view is not None
    await console.sign_in("abe")
    csrf = await console.csrf(f"/orders/{order_id}")
    assert (await console.post(f"/orders/{order_id}/refund", {"csrf": csrf, "amount": "", "reason": "lost"}))[0] == 303
    assert await refunded(staffed, order_id) == view.captured
    _, html = await console.get(f"/orders/{order_id}")
    assert f"/orders/{order_id}/refund" not in html


async def test_more_than_was_captured_or_not_an_amount_is_refused_and_nothing_is_refunded(
    console: Console, staffed: StaffShop
) -> None:
    order_id = await paid_order(staffed.small, quantity=1)
    await console.sign_in("abe")
    csrf = await console.csrf(f"/orders/{order_id}")
    for amount in ("100000.00", "12.345", "ten", "-5", "NaN"):
        status, html, _ = await console.post(
            f"/orders/{order_id}/refund", {"csrf": csrf, "amount": amount, "reason": "x"}
        )
        assert status == 409, (amount, html)
    assert (await console.post(f"/orders/{order_id}/refund", {"csrf": csrf, "amount": "1", "reason": " "}))[0] == 409
    assert await refunded(staffed, order_id) == 0


async def test_a_viewer_and_an_operator_see_no_refund_form_and_a_forced_post_is_refused(
    console: Console, staffed: StaffShop
) -> None:
    order_id = await paid_order(staffed.small, quantity=1)
    for name, role in (("viv", "A viewer"), ("otto", "An operator")):
        await console.sign_in(name)
        _, html = await console.get(f"/orders/{order_id}")
        assert f"/orders/{order_id}/refund" not in html
        csrf = await console.csrf(f"/orders/{order_id}")
        status, html, _ = await console.post(
            f"/orders/{order_id}/refund", {"csrf": csrf, "amount": "1.00", "reason": "x"}
        )
        assert status == 403, html
        assert f"{role} may not refund payments" in html
        assert await refunded(staffed, order_id) == 0


async def test_a_refund_without_the_csrf_token_changes_nothing(console: Console, staffed: StaffShop) -> None:
    order_id = await paid_order(staffed.small, quantity=1)
    await console.sign_in("abe")
    status, _, _ = await console.post(f"/orders/{order_id}/refund", {"amount": "1.00", "reason": "x"})
    assert status == 403
    assert await refunded(staffed, order_id) == 0


async def test_a_hostile_refund_reason_is_escaped_in_the_timeline(console: Console, staffed: StaffShop) -> None:
    order_id = await paid_order(staffed.small, quantity=1)
    await console.sign_in("abe")
    csrf = await console.csrf(f"/orders/{order_id}")
    hostile = "<script>alert(1)</script> & co"
    await console.post(f"/orders/{order_id}/refund", {"csrf": csrf, "amount": "1.00", "reason": hostile})
    _, html = await console.get(f"/orders/{order_id}")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html


async def test_chinese_staff_read_the_timeline_and_states_in_chinese(console: Console, staffed: StaffShop) -> None:
    order_id = await paid_order(staffed.small, quantity=1)
    await console.sign_in("otto")
    csrf = await console.csrf(f"/orders/{order_id}")
    await console.post(f"/orders/{order_id}/picking", {"csrf": csrf})
    _, html = await console.get(f"/orders/{order_id}")
    assert "时间线" in html and "拣货中" in html
    assert "已付款 → 拣货中 操作人：otto" in timeline(html)


async def test_an_operator_notes_an_order_and_the_timeline_keeps_it_escaped_while_a_viewer_may_not(
    console: Console, staffed: StaffShop
) -> None:
    order_id = await paid_order(staffed.small, quantity=1)
    await console.sign_in("viv")
    _, html = await console.get(f"/orders/{order_id}")
    assert f"/orders/{order_id}/note" not in html
    csrf = await console.csrf(f"/orders/{order_id}")
    assert (await console.post(f"/orders/{order_id}/note", {"csrf": csrf, "text": "hi"}))[0] == 403
    await console.sign_in("otto")
    csrf = await console.csrf(f"/orders/{order_id}")
    form = {"csrf": csrf, "text": "Rang <b>Ann</b>: leave it with the neighbour"}
    status, _, location = await console.post(f"/orders/{order_id}/note", form)
    assert status == 303 and location == f"/admin/orders/{order_id}?done=noted#h-timeline"
    assert (await console.post(f"/orders/{order_id}/note", {"csrf": csrf, "text": "  "}))[0] == 409
    _, html = await console.get(f"/orders/{order_id}")
    text = timeline(html)
    assert "备注：Rang &lt;b&gt;Ann&lt;/b&gt;: leave it with the neighbour 操作人：otto" in text
    assert "hi" not in text


async def test_the_order_page_shows_its_timeline_once_and_its_title_is_plain_text(
    console: Console, staffed: StaffShop
) -> None:
    order_id = await paid_order(staffed.small)
    await console.sign_in("abe")
    _, html = await console.get(f"/orders/{order_id}")
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and "<" not in title.group(1) and f"#{order_id}" in title.group(1)  # the browser tab's words
    assert html.count('id="h-timeline"') == 1 and html.count('<ol class="timeline">') == 1
