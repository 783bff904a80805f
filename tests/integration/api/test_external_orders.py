"""Orders from other sales channels: reserved like a chat checkout, unique per channel, paid elsewhere."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from domain import commands as c
from domain.adapters import orm
from domain.errors import OutOfStock
from domain.model.staff import Actor
from tests.integration.api.conftest import ApiClient, MakeKey
from tests.support.shopdata import ADDRESS, SmallShop


def pos_order(external_id: str, quantity: int = 1, paid: bool = False, sku: str = "SHOE-RED-42") -> dict[str, object]:
    return {
        "channel": "pos",
        "external_id": external_id,
        "customer": {"email": "Walk.In@Example.com", "name": "Walk In"},
        "lines": [{"sku": sku, "quantity": quantity}],
        "shipping_address": ADDRESS,
        "shipping_method": "standard",
        "paid": paid,
    }


async def test_an_order_from_a_till_reserves_stock_and_is_marked_with_its_channel_and_id(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("orders:write", "orders:read")
    status, order, _ = await api.call("POST", "/orders", key, pos_order("T-1001", quantity=2))
    assert status == 201 and order["channel"] == "pos" and order["external_id"] == "T-1001"
    assert order["status"] == "pending_payment" and order["totals"]["total"]["amount"] == 16000  # type: ignore[index]
    assert sum(a["quantity"] for a in order["allocations"]) == 2  # type: ignore[union-attr]
    stock = await small.shop.views.stock("SHOE-RED-42")
    assert stock is not None and stock.available == 6
    again = await api.call("POST", "/orders", key, pos_order("T-1001", quantity=2))
    assert again[0] == 201 and again[1]["id"] == order["id"]  # the same order, nothing reserved twice
    stock = await small.shop.views.stock("SHOE-RED-42")
    assert stock is not None and stock.available == 6
    other_channel = {**pos_order("T-1001"), "channel": "phone"}
    assert (await api.call("POST", "/orders", key, other_channel))[1]["id"] != order["id"]
    async with small.shop.sessions() as session:
        stored = (await session.execute(select(orm.orders.c.external_id, orm.orders.c.idempotency_key))).all()
    # Kept in its own column (unique per channel), not in the idempotency key of chat checkouts.
    assert sorted(tuple(r) for r in stored) == [("T-1001", None), ("T-1001", None)]


async def test_a_paid_order_is_booked_allocated_and_its_refund_is_a_persons_task(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("orders:write", "refunds:write")
    status, order, _ = await api.call("POST", "/orders", key, pos_order("T-2", paid=True))
    assert status == 201 and order["status"] == "paid" and order["financial_status"] == "paid"
    assert [(p["provider"], p["status"]) for p in order["payments"]] == [("external", "succeeded")]  # type: ignore[union-attr]
    status, refund, _ = await api.call("POST", f"/orders/{order['id']}/refunds", key, {})
    assert status == 201 and refund["status"] == "needs_action"


async def test_our_own_channel_names_and_unknown_skus_are_refused(api: ApiClient, make_key: MakeKey) -> None:
    key = await make_key("orders:write")
    status, problem, _ = await api.call("POST", "/orders", key, {**pos_order("X"), "channel": "telegram"})
    assert status == 422 and "telegram" in str(problem["detail"])
    status, problem, _ = await api.call("POST", "/orders", key, pos_order("X", sku="NOPE-1"))
    assert status == 422 and "NOPE-1" in str(problem["detail"])


async def test_external_orders_and_chat_checkouts_racing_for_the_last_units_never_oversell(
    api: ApiClient, make_key: MakeKey, small: SmallShop
) -> None:
    key = await make_key("orders:write")
    shoppers = [await small.customer(f"web-{i}") for i in range(4)]  # SHOE-BLU-42: 2 in stock

    async def chat(customer_id: int) -> bool:
        try:  # the cart refuses a SKU already gone; checkout refuses one taken meanwhile
            await small.shop.bus.handle(c.AddToCart(customer_id, "SHOE-BLU-42", 1, actor=Actor.shopper(customer_id)))
            await small.shop.bus.handle(
                c.PlaceOrder(customer_id, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer_id))
            )
        except OutOfStock:
            return False
        return True

    async def till(n: int) -> bool:
        status, _, _ = await api.call("POST", "/orders", key, pos_order(f"R-{n}", sku="SHOE-BLU-42"))
        assert status in (201, 409), status
        return status == 201

    results = await asyncio.gather(*(chat(cid) for cid in shoppers), *(till(n) for n in range(4)))
    assert sum(results) == 2
    stock = await small.shop.views.stock("SHOE-BLU-42")
    assert stock is not None and stock.available == 0
    assert await small.shop.views.ledger_mismatches() == []
