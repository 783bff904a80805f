"""Never oversell: many shoppers racing for the last units of one SKU."""

from __future__ import annotations

import asyncio

from domain import commands as c
from domain.errors import OutOfStock
from domain.model.customers import Channel
from domain.model.staff import Actor
from tests.support.shopdata import ADDRESS, SmallShop


async def test_fifty_checkouts_racing_for_ten_units_sell_exactly_ten(small: SmallShop) -> None:
    bus = small.shop.bus
    await bus.handle(c.UpsertProduct("Limited Sneaker", (c.VariantSpec("HOT-1", 12000),), ("Shoes",), actor=c.SYSTEM))
    await bus.handle(c.ReceiveStock("HOT-1", "EAST", 6, actor=c.SYSTEM))
    await bus.handle(c.ReceiveStock("HOT-1", "WEST", 4, actor=c.SYSTEM))
    customers = [await bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, f"tg-{i}")) for i in range(50)]
    for customer in customers:
        await bus.handle(c.AddToCart(customer, "HOT-1", 1, actor=Actor.shopper(customer)))

    async def checkout(customer: int) -> int | OutOfStock:
        try:
            return int(
                await bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "telegram", actor=Actor.shopper(customer)))
            )
        except OutOfStock as exc:
            return exc

    outcomes = await asyncio.gather(*(checkout(cu) for cu in customers))
    orders = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, OutOfStock)]
    assert (len(orders), len(refused)) == (10, 40)
    assert all(r.message == "Sorry, HOT-1 is out of stock." for r in refused)
    stock = await small.shop.views.stock("HOT-1")
    assert stock is not None
    assert stock.available == 0 and sum(r.reserved for r in stock.rows) == 10
    assert await small.shop.views.ledger_mismatches() == []
    # Half of the winners pay, half let the link expire: paid ones hold allocations, the rest go back.
    for order_id in orders[:5]:
        link = await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
        await bus.handle(c.ConfirmPayment("sandbox", link.url.rsplit("/", 1)[1], 12000, "USD"))
    for order_id in orders[5:]:
        link = await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
        await bus.handle(c.FailPayment("sandbox", link.url.rsplit("/", 1)[1], "expired", expired=True))
    stock = await small.shop.views.stock("HOT-1")
    assert stock is not None
    assert (stock.available, sum(r.allocated for r in stock.rows), sum(r.reserved for r in stock.rows)) == (5, 5, 0)
    assert await small.shop.views.ledger_mismatches() == []


async def test_concurrent_first_contact_from_one_chat_makes_one_customer(small: SmallShop) -> None:
    bus = small.shop.bus
    ids = await asyncio.gather(*(bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "same-browser")) for _ in range(10)))
    assert len(set(ids)) == 1


async def test_a_coupon_with_one_use_left_is_redeemed_once_under_a_race(small: SmallShop) -> None:
    bus = small.shop.bus
    await bus.handle(c.CreateCoupon("LASTONE", "fixed", 100, usage_limit=1, per_customer_limit=None, actor=c.SYSTEM))
    customers = [await bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, f"co-{i}")) for i in range(8)]
    for customer in customers:
        await bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
        await bus.handle(c.ApplyCoupon(customer, "LASTONE", actor=Actor.shopper(customer)))

    async def checkout(customer: int) -> bool:
        try:
            await bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "telegram", actor=Actor.shopper(customer)))
            return True
        except Exception:
            return False

    results = await asyncio.gather(*(checkout(cu) for cu in customers))
    assert sum(results) == 1


async def test_adds_to_one_cart_from_many_chats_at_once_all_count(small: SmallShop) -> None:
    """A shopper on two devices (or two processes): each add counts, none overwrites another."""
    bus = small.shop.bus
    customer = await small.customer()
    await bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    await asyncio.gather(
        *(bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer))) for _ in range(6))
    )
    assert (await small.shop.views.cart(customer)).item_count == 7


async def test_racing_adds_never_put_more_in_a_cart_than_is_in_stock(small: SmallShop) -> None:
    bus = small.shop.bus
    customer = await small.customer()  # SHOE-BLU-42: 2 in stock

    async def add() -> bool:
        try:
            await bus.handle(c.AddToCart(customer, "SHOE-BLU-42", 1, actor=Actor.shopper(customer)))
            return True
        except OutOfStock:
            return False

    results = await asyncio.gather(*(add() for _ in range(5)))
    assert sum(results) == 2
    assert (await small.shop.views.cart(customer)).item_count == 2
