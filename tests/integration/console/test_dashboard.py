"""The console's dashboard reads the rollups: figures against the previous period, SVG charts with hover values,
every chart as CSV, in the staff member's language; a viewer may not see the books."""

from __future__ import annotations

from tests.integration.console.conftest import Console, StaffShop, paid_order


async def test_an_operator_sees_revenue_charts_and_downloads_them_as_csv(console: Console, staffed: StaffShop) -> None:
    shop = staffed.small.shop
    order_id = await paid_order(staffed.small, quantity=1, external_id="w-1", name="<b>Ann</b>")
    await shop.outbox.drain()
    order = await shop.views.order(order_id)
    assert order is not None
    await console.sign_in("otto")  # otto's console speaks Chinese
    status, html = await console.get("/dashboard?days=7")
    assert status == 200, html
    assert "数据看板" in html and "销售额" in html
    assert "<svg" in html and "<title>" in html and "Stride Running Shoes" in html
    total = f"{order.total // 100}.{order.total % 100:02d}"
    assert total in html
    async with console.http.get(console.url("/dashboard/trend.csv?days=7")) as resp:
        assert resp.status == 200 and resp.content_type == "text/csv"
        body = await resp.text()
    assert body.splitlines()[0] == "day,orders,gross_minor"
    assert body.splitlines()[1].endswith(f",1,{order.total}")
    async with console.http.get(console.url("/dashboard/products.csv?days=7")) as resp:
        assert "Stride Running Shoes,1," in await resp.text()


async def test_a_viewer_may_not_see_the_dashboard(console: Console, staffed: StaffShop) -> None:
    await console.sign_in("viv")
    status, html = await console.get("/dashboard")
    assert status == 403
    assert "see the sales reports" in html
    status, _ = await console.get("/dashboard/trend.csv")
    assert status == 403


async def test_a_period_written_in_other_digits_falls_back_to_thirty_days(console: Console, staffed: StaffShop) -> None:
    await console.sign_in("otto")
    for odd in ("%C2%B2", "%EF%BC%97", "-7", "99999999999999999999"):  # "²", fullwidth "７"
        status, _ = await console.get(f"/dashboard?days={odd}")
        assert status == 200
