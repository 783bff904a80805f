"""Purchase orders on SQLite and PostgreSQL: the lifecycle and its refusals, receiving (partial quantities into a
warehouse and bin) as ledger rows of kind receive with the PO reference, the weighted average cost per warehouse,
and the back-in-stock event a receipt publishes like any other delivery."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from chatshop.bootstrap import Shop
from domain import commands as c
from domain import commands_purchasing as p
from domain.adapters import orm
from domain.adapters.purchasing_views import SqlPurchasingViews
from domain.errors import IllegalTransition, NotFound, OutOfStock, PermissionDenied, ValidationFailed
from domain.model.customers import Channel
from domain.model.staff import Actor, Role
from tests.support.shopdata import ADDRESS, SmallShop

BUYER = Actor.staff("bea", Role.OPERATOR)
VIEWER = Actor.staff("viv", Role.VIEWER)


async def supplier(shop: Shop, currency: str = "USD") -> int:
    return int(
        await shop.bus.handle(p.CreateSupplier("Stride Wholesale", currency, "orders@stride.test", 10, actor=BUYER))
    )


async def draft(shop: Shop, *lines: tuple[str, int, int]) -> int:
    supplier_id = await supplier(shop)
    specs = tuple(p.POLineSpec(sku, quantity, cost) for sku, quantity, cost in lines)
    return int(await shop.bus.handle(p.CreatePurchaseOrder(supplier_id, specs, actor=BUYER)))


async def sent(shop: Shop, *lines: tuple[str, int, int]) -> int:
    po_id = await draft(shop, *lines)
    assert await shop.bus.handle(p.SendPurchaseOrder(po_id, actor=BUYER)) == "sent"
    return po_id


async def receive(shop: Shop, po_id: int, *pairs: tuple[str, int], warehouse: str = "EAST", bin: str = "") -> str:
    return str(await shop.bus.handle(p.ReceivePurchaseOrder(po_id, warehouse, pairs, bin, actor=BUYER)))


async def rows(shop: Shop, stmt: Any) -> list[Any]:
    async with shop.sessions() as session:
        return list((await session.execute(stmt)).all())


async def test_a_purchase_order_goes_draft_sent_partially_received_received(small: SmallShop) -> None:
    shop = small.shop
    po_id = await draft(shop, ("SHOE-RED-42", 10, 3000), ("MUG-WHT", 24, 250))
    views = SqlPurchasingViews(shop.sessions)
    detail = await views.purchase_order(po_id)
    assert detail is not None
    assert (detail.po.status, detail.po.ref, detail.po.total_cost) == ("draft", f"PO-{po_id:06d}", 10 * 3000 + 24 * 250)
    assert detail.po.expected_on == shop.bus.ctx.now().date() + timedelta(days=10)
    assert await shop.bus.handle(p.SendPurchaseOrder(po_id, actor=BUYER)) == "sent"
    assert await receive(shop, po_id, ("SHOE-RED-42", 4)) == "partially_received"
    assert await receive(shop, po_id, ("shoe-red-42", 6), ("MUG-WHT", 24)) == "received"
    detail = await views.purchase_order(po_id)
    assert detail is not None
    assert [(line.sku, line.quantity, line.received) for line in detail.lines] == [
        ("SHOE-RED-42", 10, 10),
        ("MUG-WHT", 24, 24),
    ]
    assert [(r.sku, r.quantity, r.warehouse) for r in detail.receipts] == [
        ("SHOE-RED-42", 4, "EAST"),
        ("SHOE-RED-42", 6, "EAST"),
        ("MUG-WHT", 24, "EAST"),
    ]
    assert [po.id for po in await views.purchase_orders("received")] == [po_id]
    assert await views.purchase_orders("draft") == []


async def test_a_purchase_order_refuses_what_its_state_does_not_allow(small: SmallShop) -> None:
    shop = small.shop
    po_id = await draft(shop, ("SHOE-RED-42", 10, 3000))
    with pytest.raises(IllegalTransition, match="is a draft: send it to the supplier before receiving"):
        await receive(shop, po_id, ("SHOE-RED-42", 1))
    await shop.bus.handle(p.SendPurchaseOrder(po_id, actor=BUYER))
    with pytest.raises(IllegalTransition, match="is sent and can't become sent"):
        await shop.bus.handle(p.SendPurchaseOrder(po_id, actor=BUYER))
    with pytest.raises(ValidationFailed, match="SHOE-RED-42: 11 received but only 10 of 10 outstanding"):
        await receive(shop, po_id, ("SHOE-RED-42", 11))
    with pytest.raises(ValidationFailed, match="has no line for MUG-WHT"):
        await receive(shop, po_id, ("MUG-WHT", 1))
    await receive(shop, po_id, ("SHOE-RED-42", 2))
    with pytest.raises(IllegalTransition, match="partially received and can't be cancelled: goods have arrived"):
        await shop.bus.handle(p.CancelPurchaseOrder(po_id, actor=BUYER))
    await receive(shop, po_id, ("SHOE-RED-42", 8))
    with pytest.raises(IllegalTransition, match="is received: nothing more can be received"):
        await receive(shop, po_id, ("SHOE-RED-42", 1))

    other = await sent(shop, ("MUG-WHT", 5, 100))
    assert await shop.bus.handle(p.CancelPurchaseOrder(other, actor=BUYER)) == "cancelled"
    with pytest.raises(IllegalTransition, match="is cancelled: nothing more can be received"):
        await receive(shop, other, ("MUG-WHT", 5))
    with pytest.raises(NotFound, match="There is no purchase order PO-000999"):
        await shop.bus.handle(p.SendPurchaseOrder(999, actor=BUYER))
    with pytest.raises(ValidationFailed, match="Each SKU goes on one line"):
        await draft(shop, ("MUG-WHT", 5, 100), ("mug-wht", 1, 100))


async def test_a_viewer_can_neither_buy_nor_receive(small: SmallShop) -> None:
    shop = small.shop
    po_id = await sent(shop, ("MUG-WHT", 5, 100))
    with pytest.raises(PermissionDenied, match="A viewer may not manage purchasing; it takes an operator."):
        await shop.bus.handle(p.ReceivePurchaseOrder(po_id, "EAST", (("MUG-WHT", 5),), actor=VIEWER))
    with pytest.raises(PermissionDenied):
        await shop.bus.handle(p.CreateSupplier("X", "USD", actor=VIEWER))
    detail = await SqlPurchasingViews(shop.sessions).purchase_order(po_id)
    assert detail is not None and detail.po.units_received == 0


async def test_receiving_writes_receive_ledger_rows_with_the_po_reference_into_the_warehouse_and_bin(
    small: SmallShop,
) -> None:
    shop = small.shop
    po_id = await sent(shop, ("SHOE-RED-42", 10, 3000))
    await receive(shop, po_id, ("SHOE-RED-42", 4), warehouse="WEST", bin="b-07-1")
    M, V, W = orm.stock_movements.c, orm.variants.c, orm.warehouses.c
    ledger = await rows(
        shop,
        select(M.kind, M.d_on_hand, M.reason, M.actor, W.code)
        .join(orm.variants, V.id == M.variant_id)
        .join(orm.warehouses, W.id == M.warehouse_id)
        .where(V.sku == "SHOE-RED-42")
        .order_by(M.id.desc())
        .limit(1),
    )
    assert [tuple(r) for r in ledger] == [("receive", 4, f"PO-{po_id:06d}", "bea", "WEST")]
    stock = await shop.views.stock("SHOE-RED-42")
    assert stock is not None
    assert {row.warehouse_code: row.on_hand for row in stock.rows} == {"EAST": 3, "WEST": 9}
    views = SqlPurchasingViews(shop.sessions)
    valuation = {v.code: v for v in await views.valuation()}
    assert [(r.sku, r.bin) for r in valuation["WEST"].rows if r.sku == "SHOE-RED-42"] == [("SHOE-RED-42", "B-07-1")]
    assert await shop.views.ledger_mismatches() == []


async def test_receiving_keeps_a_weighted_average_cost_per_warehouse(small: SmallShop) -> None:
    shop = small.shop
    first = await sent(shop, ("MUG-WHT", 50, 300))
    # 50 mugs on hand in EAST from before purchasing (no cost yet): the first receipt's cost becomes the average.
    await receive(shop, first, ("MUG-WHT", 50))
    second = await sent(shop, ("MUG-WHT", 100, 450))
    await receive(shop, second, ("MUG-WHT", 100))  # (100 × 300 + 100 × 450) / 200 = 375
    third = await sent(shop, ("MUG-WHT", 3, 1000))
    await receive(shop, third, ("MUG-WHT", 3), warehouse="WEST")  # another warehouse keeps its own average
    valuation = {v.code: v for v in await SqlPurchasingViews(shop.sessions).valuation()}
    east = next(r for r in valuation["EAST"].rows if r.sku == "MUG-WHT")
    west = next(r for r in valuation["WEST"].rows if r.sku == "MUG-WHT")
    assert (east.on_hand, east.unit_cost, east.value, east.currency) == (200, 375, 75000, "USD")
    assert (west.on_hand, west.unit_cost, west.value) == (3, 1000, 3000)
    assert dict(valuation["WEST"].totals) == {"USD": 3000}
    assert valuation["EAST"].unvalued_units == 3  # the shoes that came before purchasing have no cost


async def test_a_receipt_that_brings_a_sold_out_sku_back_publishes_back_in_stock(small: SmallShop) -> None:
    shop = small.shop
    await shop.bus.handle(c.AdjustStock("SHOE-BLU-42", "WEST", -2, "count", actor=c.SYSTEM))
    po_id = await sent(shop, ("SHOE-BLU-42", 6, 2800))
    box = orm.outbox.c
    before = await rows(shop, select(func.count()).where(box.name == "BackInStock"))
    await receive(shop, po_id, ("SHOE-BLU-42", 2))
    await receive(shop, po_id, ("SHOE-BLU-42", 4))  # 2 -> 6: not "back", nothing new
    after = await rows(shop, select(box.name, box.payload).where(box.name == "BackInStock").order_by(box.id))
    assert len(after) == before[0][0] + 1
    assert after[-1].payload["sku"] == "SHOE-BLU-42" and after[-1].payload["available"] == 2
    names = [r[0] for r in await rows(shop, select(box.name).order_by(box.id))]
    assert names.count("PurchaseOrderReceived") == 2


async def test_a_bin_location_is_set_by_command_and_checked(small: SmallShop) -> None:
    shop = small.shop
    assert await shop.bus.handle(p.SetBinLocation("mug-wht", "east", " a-03-2 ", actor=BUYER)) == "A-03-2"
    assert await shop.bus.handle(p.SetBinLocation("MUG-WHT", "EAST", "A-04-1", actor=BUYER)) == "A-04-1"
    with pytest.raises(ValidationFailed, match="A bin code is letters, digits and dashes"):
        await shop.bus.handle(p.SetBinLocation("MUG-WHT", "EAST", "<b>", actor=BUYER))
    with pytest.raises(PermissionDenied):
        await shop.bus.handle(p.SetBinLocation("MUG-WHT", "EAST", "A-1", actor=VIEWER))
    valuation = {v.code: v for v in await SqlPurchasingViews(shop.sessions).valuation()}
    assert [r.bin for r in valuation["EAST"].rows if r.sku == "MUG-WHT"] == ["A-04-1"]


async def test_receipts_racing_checkouts_for_the_same_sku_keep_the_ledger_equal_to_the_counters(
    small: SmallShop,
) -> None:
    shop = small.shop
    bus = shop.bus
    po_id = await sent(shop, ("SHOE-RED-42", 12, 3000))
    customers = [int(await bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, f"tg-{i}"))) for i in range(8)]
    for customer in customers:
        await bus.handle(c.AddToCart(customer, "SHOE-RED-42", 1, actor=Actor.shopper(customer)))

    async def checkout(customer: int) -> int | OutOfStock:
        try:
            command = c.PlaceOrder(customer, ADDRESS, "standard", "telegram", actor=Actor.shopper(customer))
            return int(await bus.handle(command))
        except OutOfStock as exc:
            return exc

    receipts = [receive(shop, po_id, ("SHOE-RED-42", 3), warehouse=house) for house in ("EAST", "WEST", "EAST", "WEST")]
    outcomes = await asyncio.gather(*(checkout(cu) for cu in customers), *receipts)
    assert sorted(str(o) for o in outcomes[len(customers) :]) == ["partially_received"] * 3 + ["received"]
    assert await shop.views.ledger_mismatches() == []
    stock = await shop.views.stock("SHOE-RED-42")
    assert stock is not None
    sold = sum(1 for o in outcomes[: len(customers)] if isinstance(o, int))
    assert sum(r.on_hand for r in stock.rows) == 8 + 12
    assert sum(r.reserved for r in stock.rows) == sold and stock.available == 20 - sold
    valuation = {v.code: v for v in await SqlPurchasingViews(shop.sessions).valuation()}
    assert {row.unit_cost for v in valuation.values() for row in v.rows if row.sku == "SHOE-RED-42"} == {3000}
