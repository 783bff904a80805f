"""Orders, products, stock and customers through the API: every write lands through the domain's commands."""

from __future__ import annotations

from sqlalchemy import func, select

from domain import commands as c
from domain.adapters import orm
from domain.model.staff import Actor
from tests.integration.api.conftest import ApiClient, MakeKey
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop


async def paid_order(small: SmallShop, quantity: int = 1) -> int:
    customer = await small.customer()
    order_id = await small.checkout(customer, quantity=quantity)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=Actor.shopper(customer)))
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    order = await small.shop.views.order(order_id)
    assert order is not None
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, order.currency, session_id))
    return order_id


async def test_an_order_is_shown_with_lines_totals_payments_and_allocations(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    order_id = await paid_order(small, quantity=4)
    status, order, _ = await api.call("GET", f"/orders/{order_id}", await make_key("orders:read"))
    assert status == 200 and order["status"] == "paid" and order["financial_status"] == "paid"
    assert order["totals"]["total"] == {"amount": 32000, "currency": "USD"}  # type: ignore[index]
    (line,) = order["lines"]  # type: ignore[misc]
    assert line["sku"] == "SHOE-RED-42" and line["quantity"] == 4 and line["name"].startswith("Stride Running Shoes")
    assert line["unit_price"] == {"amount": 8000, "currency": "USD"}
    assert [p["status"] for p in order["payments"]] == ["succeeded"]  # type: ignore[union-attr]
    # One warehouse that can ship everything is preferred to a split.
    assert [(a["warehouse"], a["quantity"]) for a in order["allocations"]] == [("WEST", 4)]  # type: ignore[union-attr]
    assert str(order["updated_at"]).endswith(("Z", "+00:00"))


async def test_ship_then_refund_part_then_the_rest(api: ApiClient, make_key: MakeKey, small: SmallShop) -> None:
    order_id = await paid_order(small)
    key = await make_key("orders:write", "refunds:write")
    for step in ("picking", "packed"):
        status, order, _ = await api.call("POST", f"/orders/{order_id}/advance", key, {"to": step})
        assert status == 200 and order["status"] == step
    status, order, _ = await api.call(
        "POST", f"/orders/{order_id}/ship", key, {"carrier": "UPS", "tracking_number": "1Z9"}
    )
    assert status == 200 and order["status"] == "shipped" and order["tracking_number"] == "1Z9"
    assert order["shipments"][0]["carrier"] == "UPS"  # type: ignore[index]
    part = {"amount": {"amount": 1000, "currency": "USD"}, "reason": "scuffed"}
    status, refund, _ = await api.call("POST", f"/orders/{order_id}/refunds", key, part, **{"Idempotency-Key": "rf-1"})
    assert status == 201 and refund["status"] == "succeeded"
    assert refund["order"]["totals"]["refunded"]["amount"] == 1000  # type: ignore[index]
    again = await api.call("POST", f"/orders/{order_id}/refunds", key, part, **{"Idempotency-Key": "rf-1"})
    assert again[0] == 201 and again[1]["order"]["totals"]["refunded"]["amount"] == 1000  # type: ignore[index]
    status, refund, _ = await api.call("POST", f"/orders/{order_id}/refunds", key, {})
    assert status == 201 and refund["order"]["financial_status"] == "refunded"  # type: ignore[index]
    status, problem, _ = await api.call("POST", f"/orders/{order_id}/refunds", key, part)
    assert status == 422 and problem["type"] == "urn:chatshop:problem:refund_too_large"


async def test_a_refund_in_another_currency_is_refused(api: ApiClient, make_key: MakeKey, small: SmallShop) -> None:
    order_id = await paid_order(small)
    body = {"amount": {"amount": 100, "currency": "EUR"}}
    status, problem, _ = await api.call("POST", f"/orders/{order_id}/refunds", await make_key("refunds:write"), body)
    assert status == 422 and "USD" in str(problem["detail"])


async def test_cancel_releases_the_stock(api: ApiClient, make_key: MakeKey, small: SmallShop) -> None:
    order_id = await small.checkout(await small.customer(), quantity=2)
    status, order, _ = await api.call("POST", f"/orders/{order_id}/cancel", await make_key("orders:write"), {})
    assert status == 200 and order["status"] == "cancelled"
    stock = await small.shop.views.stock("SHOE-RED-42")
    assert stock is not None and stock.available == 8


async def test_orders_filter_by_state_channel_customer_and_updated_since(
    api: ApiClient, make_key: MakeKey, small: SmallShop, clock: FakeClock
) -> None:
    first = await small.checkout(await small.customer("web-a"))
    clock.advance(hours=1)
    since = clock.now()
    ann = await small.customer("web-b")
    second = await small.checkout(ann, "MUG-WHT")
    key = await make_key("orders:read")
    ids = lambda body: [o["id"] for o in body["items"]]  # noqa: E731
    assert ids((await api.call("GET", "/orders?status=pending_payment", key))[1]) == [second, first]
    assert ids((await api.call("GET", "/orders?status=paid", key))[1]) == []
    assert ids((await api.call("GET", f"/orders?customer_id={ann}", key))[1]) == [second]
    assert ids((await api.call("GET", "/orders?channel=telegram", key))[1]) == []
    stamp = since.isoformat().replace("+00:00", "Z")
    assert ids((await api.call("GET", f"/orders?updated_since={stamp}", key))[1]) == [second]
    assert ids((await api.call("GET", f"/orders?created_to={stamp}", key))[1]) == [first]


async def test_a_product_is_created_updated_listed_and_archived(
    api: ApiClient, make_key: MakeKey, small: SmallShop, clock: FakeClock
) -> None:
    key = await make_key("products:read", "products:write")
    tea = {
        "name": "Green Tea",
        "category_path": ["Home", "Tea"],
        "variants": [{"sku": "tea-50", "price": {"amount": 650, "currency": "USD"}, "options": {"size": "50g"}}],
    }
    status, product, _ = await api.call("POST", "/products", key, tea)
    assert status == 200 and product["slug"] == "green-tea" and product["variants"][0]["sku"] == "TEA-50"  # type: ignore[index]
    assert product["category"] == "home-tea" and product["category_path"] == ["Home", "Tea"]
    clock.advance(minutes=5)
    stamp = clock.now().isoformat()
    tea["variants"][0]["price"]["amount"] = 700  # type: ignore[index]
    status, product, _ = await api.call("POST", "/products", key, tea)
    assert product["variants"][0]["price"] == {"amount": 700, "currency": "USD"}  # type: ignore[index]
    changed = (await api.call("GET", "/products", key, None))[1]
    assert len(changed["items"]) == 3  # type: ignore[arg-type]
    from urllib.parse import quote

    since = (await api.call("GET", f"/products?updated_since={quote(stamp)}", key))[1]
    assert [p["slug"] for p in since["items"]] == ["green-tea"]  # type: ignore[union-attr]
    home = (await api.call("GET", "/products?category=home", key))[1]
    assert {p["slug"] for p in home["items"]} == {"hearth-ceramic-mug", "green-tea"}  # type: ignore[union-attr]
    status, product, _ = await api.call("POST", f"/products/{product['id']}/archive", key)
    assert status == 200 and product["status"] == "archived"
    archived = (await api.call("GET", "/products?status=archived", key))[1]
    assert [p["slug"] for p in archived["items"]] == ["green-tea"]  # type: ignore[union-attr]


async def test_a_bulk_upsert_reports_each_row_and_a_bad_row_writes_nothing(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    usd = lambda amount: {"amount": amount, "currency": "USD"}  # noqa: E731
    rows = [
        {"name": "Cap", "variants": [{"sku": "CAP-1", "price": usd(1500)}]},
        # CAP-2 is new but SHOE-RED-42 belongs to another product: the whole row is refused, CAP-2 included.
        {
            "name": "Bad Cap",
            "variants": [{"sku": "CAP-2", "price": usd(1500)}, {"sku": "SHOE-RED-42", "price": usd(1)}],
        },
        {
            "name": "Hearth Ceramic Mug",
            "category_path": ["Home", "Mugs"],
            "variants": [{"sku": "MUG-WHT", "price": usd(1300)}],
        },
    ]
    status, result, _ = await api.call("POST", "/products/bulk", await make_key("products:write"), {"products": rows})
    assert status == 200 and result["succeeded"] == 2 and result["failed"] == 1
    outcomes = result["rows"]
    assert [r["ok"] for r in outcomes] == [True, False, True]  # type: ignore[union-attr]
    assert "SHOE-RED-42" in outcomes[1]["error"]  # type: ignore[index]
    assert await small.shop.views.product(sku="CAP-2") is None
    shoe = await small.shop.views.product(sku="SHOE-RED-42")
    assert shoe is not None and {v.price for v in shoe.variants} == {8000}
    mug = await small.shop.views.product(sku="MUG-WHT")
    assert mug is not None and mug.variants[0].price == 1300


async def test_stock_levels_receive_and_adjust(api: ApiClient, make_key: MakeKey, small: SmallShop) -> None:
    key = await make_key("stock:read", "stock:write")
    levels = (await api.call("GET", "/stock?sku=shoe-red-42", key))[1]["items"]
    assert [(r["warehouse"], r["on_hand"]) for r in levels] == [("EAST", 3), ("WEST", 5)]  # type: ignore[union-attr]
    status, level, _ = await api.call(
        "POST", "/stock/adjust", key, {"sku": "SHOE-RED-42", "warehouse": "WEST", "delta": -2, "reason": "water damage"}
    )
    assert status == 200 and level["on_hand"] == 3
    status, problem, _ = await api.call(
        "POST", "/stock/adjust", key, {"sku": "SHOE-RED-42", "warehouse": "WEST", "delta": -9, "reason": "x"}
    )
    assert status == 422 and "below" in str(problem["detail"])
    status, problem, _ = await api.call(
        "POST", "/stock/receive", key, {"sku": "NOPE", "warehouse": "WEST", "quantity": 1}
    )
    assert status == 404
    page1 = (await api.call("GET", "/stock?limit=2", key))[1]
    page2 = (await api.call("GET", f"/stock?limit=2&cursor={page1['next_cursor']}", key))[1]
    assert len(page1["items"]) == 2 and len(page2["items"]) == 2 and page2["next_cursor"] is None  # type: ignore[arg-type]


async def test_customers_are_searched_shown_exported_and_forgotten(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    ann = await small.customer("web-ann", "Ann Lee")
    await small.customer("web-bob", "Bob Stone")
    await small.checkout(ann)
    key = await make_key("customers:read", "customers:write")
    found = (await api.call("GET", "/customers?q=lee", key))[1]
    assert [x["id"] for x in found["items"]] == [ann]  # type: ignore[union-attr]
    status, profile, _ = await api.call("GET", f"/customers/{ann}", key)
    assert status == 200 and profile["identities"] == [{"channel": "webchat", "external_id": "web-ann"}]
    status, tagged, _ = await api.call("POST", f"/customers/{ann}/tags", key, {"add": ["vip", "wholesale"]})
    assert status == 200 and set(tagged["tags"]) >= {"vip", "wholesale"}  # type: ignore[arg-type]
    status, consented, _ = await api.call("POST", f"/customers/{ann}/consent", key, {"granted": True, "source": "pos"})
    assert status == 200 and consented["marketing_opt_in"] is True
    status, export, _ = await api.call("GET", f"/customers/{ann}/export", key)
    assert status == 200 and "Ann Lee" in str(export)
    assert (await api.call("POST", f"/customers/{ann}/forget", key))[0] == 200
    status, profile, _ = await api.call("GET", f"/customers/{ann}", key)
    assert profile["anonymised"] is True and "Ann" not in str(profile["name"])
    async with small.shop.sessions() as session:
        orders = (await session.execute(select(func.count()).select_from(orm.orders))).scalar_one()
    assert orders == 1  # erasure keeps orders


async def test_reports_and_coupons_as_json(api: ApiClient, make_key: MakeKey, small: SmallShop) -> None:
    await paid_order(small)
    await small.shop.outbox.drain()  # the reports read the rollups the outbox keeps
    key = await make_key("reports:read", "coupons:read")
    day = small.shop.clock.now().date().isoformat()
    status, sales, _ = await api.call("GET", f"/reports/sales?from={day}&to={day}", key)
    assert status == 200 and sales["orders"] == 1 and sales["gross"] == {"amount": 8500, "currency": "USD"}
    status, top, _ = await api.call("GET", f"/reports/top-products?from={day}&to={day}", key)
    assert status == 200 and top["items"][0]["units"] == 1  # type: ignore[index]
    status, by, _ = await api.call("GET", "/reports/customers?by=channel", key)
    assert status == 200 and by["items"] == [{"key": "webchat", "customers": 1}]
    status, problem, _ = await api.call("GET", f"/reports/sales?from={day}&to=2020-01-01", key)
    assert status == 422 and "before" in str(problem["detail"])
    status, coupons, _ = await api.call("GET", "/coupons", key)
    assert {c["code"] for c in coupons["items"]} == {"WELCOME10", "FIVEOFF"}  # type: ignore[union-attr]


async def test_an_order_carries_its_timeline_with_who_did_each_step(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    order_id = await paid_order(small)
    key = await make_key("orders:read", "orders:write")
    assert (await api.call("POST", f"/orders/{order_id}/advance", key, {"to": "picking"}))[0] == 200
    status, order, _ = await api.call("GET", f"/orders/{order_id}", key)
    assert status == 200
    timeline = order["timeline"]  # type: ignore[index]
    events = [e["event"] for e in timeline]
    assert events.index("OrderPlaced") < events.index("OrderPaid") < len(events) - 1
    placed = next(e for e in timeline if e["event"] == "OrderPlaced")
    assert placed["actor"] == f"customer:{order['customer_id']}"  # type: ignore[index]
    picking = timeline[-1]
    assert picking["event"] == "OrderStatusChanged" and picking["details"]["new"] == "picking"
    assert picking["actor"] not in ("", "system")  # the key's name
