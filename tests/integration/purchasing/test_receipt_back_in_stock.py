"""A delivery received against a purchase order brings a sold-out SKU back: the back-in-stock automation notifies
the shoppers who asked, exactly as for `stock receive` (the same event, in the receipt's transaction)."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain import commands_purchasing as p
from domain.model.staff import Actor, Role
from tests.integration.campaigns.helpers import Person, add_people, approved
from tests.integration.campaigns.test_automations import (
    SKU,
    Recorder,
    back_in_stock,
    dispatcher,
    sell_out,
    subscriptions,
)
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(60)
BUYER = Actor.staff("bea", Role.OPERATOR)


async def test_receiving_a_purchase_order_notifies_the_shoppers_waiting_for_the_sku(
    small: SmallShop, clock: FakeClock
) -> None:
    from chatshop.cli_campaign import subscribe_back_in_stock

    shop = small.shop
    subscribe_back_in_stock(shop)
    ann, bob = await add_people(shop, [Person(telegram=1), Person(telegram=2)], clock.now())
    restock_id = await approved(shop, back_in_stock(skus=(SKU,)))
    await sell_out(shop)
    for customer in (ann, bob):
        await shop.bus.handle(c.SubscribeToStock(customer, SKU, "telegram", actor=Actor.shopper(customer)))

    supplier_id = await shop.bus.handle(p.CreateSupplier("Stride Wholesale", "USD", actor=BUYER))
    po_id = await shop.bus.handle(p.CreatePurchaseOrder(supplier_id, (p.POLineSpec(SKU, 6, 2800),), actor=BUYER))
    await shop.bus.handle(p.SendPurchaseOrder(po_id, actor=BUYER))
    await shop.bus.handle(p.ReceivePurchaseOrder(po_id, "WEST", ((SKU, 2),), actor=BUYER))
    await shop.outbox.drain()
    assert [(s.status.value, s.campaign_id) for s in await subscriptions(shop)] == [("notified", restock_id)] * 2
    send = Recorder()
    await dispatcher(shop, send).drain()
    assert sorted(m.address for m in send.sent) == ["1", "2"] and {m.skus for m in send.sent} == {(SKU,)}
