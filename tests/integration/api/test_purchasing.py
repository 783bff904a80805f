"""Purchasing through the admin API: suppliers, purchase orders from draft to received, valuation. Every write
goes through the domain's purchasing commands; a repeated delivery never books in more than was ordered."""

from __future__ import annotations

from typing import Any

from tests.integration.api.conftest import ApiClient, MakeKey
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

ACME = {"name": "Acme Footwear", "currency": "USD", "contact": "orders@acme.example", "lead_time_days": 10}


async def draft(api: ApiClient, key: str, supplier_id: int, **extra: Any) -> dict[str, Any]:
    body = {
        "supplier_id": supplier_id,
        "lines": [
            {"sku": "shoe-red-42", "quantity": 10, "unit_cost": {"amount": 3000, "currency": "USD"}},
            {"sku": "MUG-WHT", "quantity": 4, "unit_cost": {"amount": 250, "currency": "USD"}},
        ],
        **extra,
    }
    status, po, _ = await api.call("POST", "/purchase-orders", key, body)
    assert status == 201, po
    return po


async def supplier(api: ApiClient, key: str) -> int:
    status, made, _ = await api.call("POST", "/suppliers", key, ACME)
    assert status == 201, made
    return int(made["id"])


async def test_a_supplier_is_created_listed_and_fetched(api: ApiClient, make_key: MakeKey, small: SmallShop) -> None:
    key = await make_key("purchasing:read", "purchasing:write")
    first = await supplier(api, key)
    status, second, _ = await api.call("POST", "/suppliers", key, {"name": "Beta Mugs", "currency": "EUR"})
    assert status == 201 and second["lead_time_days"] == 7 and second["currency"] == "EUR"
    status, got, _ = await api.call("GET", f"/suppliers/{first}", key)
    assert status == 200 and got == {"id": first, **ACME}
    page1 = (await api.call("GET", "/suppliers?limit=1", key))[1]
    page2 = (await api.call("GET", f"/suppliers?limit=1&cursor={page1['next_cursor']}", key))[1]
    assert [s["id"] for s in page1["items"] + page2["items"]] == [first, second["id"]]
    assert page2["next_cursor"] is None
    status, problem, resp = await api.call("GET", "/suppliers/999999", key)
    assert status == 404 and resp.content_type == "application/problem+json"
    status, problem, _ = await api.call("POST", "/suppliers", key, {"name": "X", "currency": "usd"})
    assert status == 422 and problem["errors"][0]["field"] == "body.currency"


async def test_a_purchase_order_is_drafted_sent_received_in_two_deliveries_and_done(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("purchasing:read", "purchasing:write", "stock:read")
    po = await draft(api, key, await supplier(api, key), note="spring restock")
    assert po["state"] == "draft" and po["reference"] == f"PO-{po['id']:06d}" and po["note"] == "spring restock"
    assert po["total_cost"] == {"amount": 10 * 3000 + 4 * 250, "currency": "USD"}
    assert [(x["sku"], x["quantity"], x["received"], x["outstanding"]) for x in po["lines"]] == [
        ("SHOE-RED-42", 10, 0, 10),
        ("MUG-WHT", 4, 0, 4),
    ]
    status, problem, _ = await api.call(
        "POST",
        f"/purchase-orders/{po['id']}/receive",
        key,
        {"warehouse": "EAST", "lines": [{"sku": "MUG-WHT", "quantity": 1}]},
    )
    assert status == 409 and "draft" in problem["detail"]  # a draft is sent before anything is received
    status, sent, _ = await api.call("POST", f"/purchase-orders/{po['id']}/send", key)
    assert status == 200 and sent["state"] == "sent"

    delivery = {"warehouse": "east", "bin": "a-03-2", "lines": [{"sku": "SHOE-RED-42", "quantity": 6}]}
    status, part, _ = await api.call("POST", f"/purchase-orders/{po['id']}/receive", key, delivery)
    assert status == 200 and part["state"] == "partially_received" and part["units_received"] == 6
    (receipt,) = part["receipts"]
    assert (receipt["warehouse"], receipt["bin"], receipt["quantity"]) == ("EAST", "A-03-2", 6)
    assert receipt["unit_cost"] == {"amount": 3000, "currency": "USD"}
    level = (await api.call("GET", "/stock?sku=SHOE-RED-42&warehouse=EAST", key))[1]["items"][0]
    assert level["on_hand"] == 3 + 6
    status, problem, _ = await api.call("POST", f"/purchase-orders/{po['id']}/cancel", key)
    assert status == 409  # goods have arrived against it

    rest = {"warehouse": "EAST", "lines": [{"sku": "SHOE-RED-42", "quantity": 4}, {"sku": "MUG-WHT", "quantity": 4}]}
    status, done, _ = await api.call("POST", f"/purchase-orders/{po['id']}/receive", key, rest)
    assert status == 200 and done["state"] == "received" and done["units_received"] == 14
    assert all(x["outstanding"] == 0 for x in done["lines"])


async def test_a_receipt_replays_with_its_key_and_a_second_receipt_cannot_over_receive(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("purchasing:read", "purchasing:write", "stock:read")
    po = await draft(api, key, await supplier(api, key))
    await api.call("POST", f"/purchase-orders/{po['id']}/send", key)
    delivery = {"warehouse": "WEST", "lines": [{"sku": "SHOE-RED-42", "quantity": 7}]}
    path = f"/purchase-orders/{po['id']}/receive"
    status, first, _ = await api.call("POST", path, key, delivery, **{"Idempotency-Key": "dlv-1"})
    assert status == 200
    status, again, resp = await api.call("POST", path, key, delivery, **{"Idempotency-Key": "dlv-1"})
    assert status == 200 and resp.headers["Idempotent-Replayed"] == "true" and again == first
    # The same delivery under a new key is a second delivery: 7 more of the 3 outstanding is refused.
    status, problem, _ = await api.call("POST", path, key, delivery, **{"Idempotency-Key": "dlv-2"})
    assert status == 422 and "only 3 of 10 outstanding" in problem["detail"]
    got = (await api.call("GET", f"/purchase-orders/{po['id']}", key))[1]
    assert got["units_received"] == 7 and len(got["receipts"]) == 1
    level = (await api.call("GET", "/stock?sku=SHOE-RED-42&warehouse=WEST", key))[1]["items"][0]
    assert level["on_hand"] == 5 + 7


async def test_purchase_orders_filter_by_state_supplier_and_updated_since(
    api: ApiClient, make_key: MakeKey, small: SmallShop, clock: FakeClock
) -> None:
    key = await make_key("purchasing:read", "purchasing:write")
    acme = await supplier(api, key)
    beta = int((await api.call("POST", "/suppliers", key, {"name": "Beta", "currency": "USD"}))[1]["id"])
    first = (await draft(api, key, acme))["id"]
    second = (await draft(api, key, beta))["id"]
    third = (await draft(api, key, acme))["id"]
    clock.advance(hours=1)
    since = clock.now().isoformat().replace("+00:00", "Z")
    await api.call("POST", f"/purchase-orders/{third}/send", key)
    clock.advance(minutes=1)
    await api.call("POST", f"/purchase-orders/{first}/cancel", key)
    ids = lambda body: [o["id"] for o in body["items"]]  # noqa: E731
    assert ids((await api.call("GET", "/purchase-orders", key))[1]) == [third, second, first]
    assert ids((await api.call("GET", "/purchase-orders?state=draft", key))[1]) == [second]
    assert ids((await api.call("GET", f"/purchase-orders?supplier_id={acme}", key))[1]) == [third, first]
    # A sync: oldest change first, resumed from the cursor.
    page1 = (await api.call("GET", f"/purchase-orders?updated_since={since}&limit=1", key))[1]
    page2 = (
        await api.call("GET", f"/purchase-orders?updated_since={since}&limit=1&cursor={page1['next_cursor']}", key)
    )[1]
    assert ids(page1) + ids(page2) == [third, first] and page2["next_cursor"] is None
    status, _, _ = await api.call("GET", f"/purchase-orders?cursor={page1['next_cursor']}", key)
    assert status == 422  # a sync's cursor does not page the newest-first list
    assert (await api.call("GET", "/purchase-orders?state=lost", key))[0] == 422


async def test_unit_costs_must_be_in_the_suppliers_currency(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("purchasing:write")
    body = {
        "supplier_id": await supplier(api, key),
        "lines": [{"sku": "MUG-WHT", "quantity": 1, "unit_cost": {"amount": 100, "currency": "EUR"}}],
    }
    status, problem, _ = await api.call("POST", "/purchase-orders", key, body)
    assert status == 422 and "USD" in problem["detail"] and "MUG-WHT" in problem["detail"]
    body["lines"] = [{"sku": "NOPE-1", "quantity": 1, "unit_cost": {"amount": 100, "currency": "USD"}}]
    assert (await api.call("POST", "/purchase-orders", key, body))[0] == 404


async def test_valuation_per_warehouse_at_average_cost(api: ApiClient, make_key: MakeKey, small: SmallShop) -> None:
    key = await make_key("purchasing:read", "purchasing:write")
    po = await draft(api, key, await supplier(api, key))
    await api.call("POST", f"/purchase-orders/{po['id']}/send", key)
    delivery = {"warehouse": "EAST", "lines": [{"sku": "MUG-WHT", "quantity": 4}]}
    assert (await api.call("POST", f"/purchase-orders/{po['id']}/receive", key, delivery))[0] == 200
    status, body, _ = await api.call("GET", "/inventory/valuation", key)
    assert status == 200
    houses = {h["warehouse"]: h for h in body["warehouses"]}
    assert set(houses) == {"EAST", "WEST"}
    mug = next(line for line in houses["EAST"]["lines"] if line["sku"] == "MUG-WHT")
    # The first known cost values the 50 mugs already on hand too (they were booked in before purchasing).
    assert mug["on_hand"] == 54 and mug["unit_cost"] == {"amount": 250, "currency": "USD"}
    assert mug["value"] == {"amount": 54 * 250, "currency": "USD"}
    assert houses["EAST"]["totals"] == [{"amount": 54 * 250, "currency": "USD"}]
    assert houses["EAST"]["unvalued_units"] == 3  # the red shoes, never bought through a purchase order
    assert houses["WEST"]["totals"] == [] and houses["WEST"]["unvalued_units"] == 7
