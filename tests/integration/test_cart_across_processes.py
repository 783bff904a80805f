"""Two shop processes on one database (each its own engine, connection pool, chat locks and catalog in
memory): adds to one cart all count, stock still bounds them, and pricing follows a catalog changed by the
other process."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.errors import OutOfStock
from domain.model.staff import Actor
from tests.support.clock import FakeClock
from tests.support.shopdata import ADDRESS, SmallShop


@pytest.fixture
async def other_shop(database_url: str, small: SmallShop, clock: FakeClock) -> AsyncIterator[Shop]:
    other = build_shop(Settings(database_url=database_url, _env_file=None), clock=clock)  # type: ignore[call-arg]
    yield other
    await other.close()


async def test_adds_to_one_cart_from_two_processes_at_once_all_count(small: SmallShop, other_shop: Shop) -> None:
    customer = await small.customer()
    shopper = Actor.shopper(customer)
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=shopper))
    buses = (small.shop.bus, other_shop.bus)
    await asyncio.gather(
        *(bus.handle(c.AddToCart(customer, "MUG-WHT", 2, actor=shopper)) for bus in buses),
        *(bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=shopper)) for bus in buses for _ in range(3)),
    )
    # 1, then 2 + 2 and 3 × 1 from each process: none of them overwrote another's line.
    assert (await small.shop.views.cart(customer)).item_count == 1 + 4 + 6
    assert (await other_shop.views.cart(customer)).item_count == 11


async def test_adds_from_two_processes_never_put_more_in_a_cart_than_is_in_stock(
    small: SmallShop, other_shop: Shop
) -> None:
    customer = await small.customer()  # SHOE-BLU-42: 2 in stock
    shopper = Actor.shopper(customer)

    async def add(shop: Shop) -> bool:
        try:
            await shop.bus.handle(c.AddToCart(customer, "SHOE-BLU-42", 1, actor=shopper))
            return True
        except OutOfStock as refused:
            assert str(refused) == str(OutOfStock("SHOE-BLU-42", 3, 2))  # the message shoppers always had
            return False

    results = await asyncio.gather(*(add(shop) for shop in (small.shop, other_shop) for _ in range(3)))
    assert sum(results) == 2
    assert (await small.shop.views.cart(customer)).item_count == 2


async def test_checkout_charges_the_price_another_process_set_after_the_catalog_was_held(
    small: SmallShop, other_shop: Shop
) -> None:
    customer = await small.customer()
    shopper = Actor.shopper(customer)
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 2, actor=shopper))  # the catalog is held now
    await other_shop.bus.handle(c.UpsertProduct(
        "Hearth Ceramic Mug", (c.VariantSpec("MUG-WHT", 1450, {"color": "white"}),), ("Home", "Mugs"),
        brand="Hearth", actor=c.SYSTEM))  # fmt: skip
    order_id = await small.shop.bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=shopper))
    order = await small.shop.views.order(order_id)
    assert order is not None
    assert [(line.sku, line.unit_price, line.quantity) for line in order.lines] == [("MUG-WHT", 1450, 2)]


async def test_a_product_another_process_archived_can_no_longer_be_added_or_bought(
    small: SmallShop, other_shop: Shop
) -> None:
    customer = await small.customer()
    shopper = Actor.shopper(customer)
    await small.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 1, actor=shopper))
    await other_shop.bus.handle(c.ArchiveProduct("stride-running-shoes", actor=c.SYSTEM))
    with pytest.raises(Exception, match="no longer sold"):
        await small.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 1, actor=shopper))
    with pytest.raises(Exception, match="no longer sold"):
        await small.shop.bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=shopper))
