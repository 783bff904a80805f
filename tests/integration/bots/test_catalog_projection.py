"""The catalog held in memory by each shop process, and what makes it read again: any catalog change
committed by any process (database triggers raise ``catalog_version``), seen on the next turn."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.errors import NotFound
from domain.model.staff import Actor
from nlu.interface import NluEngine
from tests.integration.bots.conftest import Chat, make_engine
from tests.support.shopdata import ADDRESS, SmallShop


@pytest.fixture
async def other_shop(database_url: str, small: SmallShop) -> AsyncIterator[Shop]:
    """A second shop process on the same database: its own engine, views and catalog in memory."""
    other = build_shop(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    yield other
    await other.close()


async def test_a_price_changed_by_another_process_shows_on_the_next_turn(
    small: SmallShop, other_shop: Shop, nlu_engine: NluEngine
) -> None:
    chat = Chat(make_engine(other_shop, nlu_engine))
    await chat.say("show me mugs")
    assert "12.00" in chat.text, chat.text
    await small.shop.bus.handle(c.UpsertProduct(
        "Hearth Ceramic Mug", (c.VariantSpec("MUG-WHT", 1450, {"color": "white"}),), ("Home", "Mugs"),
        brand="Hearth", actor=c.SYSTEM))  # fmt: skip
    await chat.say("show me mugs")
    assert "14.50" in chat.text and "12.00" not in chat.text, chat.text


async def test_a_product_archived_by_another_process_is_gone_from_search_on_the_next_turn(
    small: SmallShop, other_shop: Shop, nlu_engine: NluEngine
) -> None:
    chat = Chat(make_engine(other_shop, nlu_engine))
    await chat.say("show me red shoes")
    assert "Stride Running Shoes" in chat.text, chat.text
    await small.shop.bus.handle(c.ArchiveProduct("stride-running-shoes", actor=c.SYSTEM))
    await chat.say("show me red shoes")
    assert "Stride Running Shoes" not in chat.text, chat.text
    card = await other_shop.views.product(sku="SHOE-RED-42")
    assert card is not None and not card.active


async def test_stock_is_read_live_and_does_not_reload_the_catalog(
    small: SmallShop, other_shop: Shop, nlu_engine: NluEngine
) -> None:
    chat = Chat(make_engine(other_shop, nlu_engine))
    await chat.say("show me mugs")
    assert "In stock: 50" in chat.text, chat.text
    loads = other_shop.views.projection.loads
    await small.shop.bus.handle(c.ReceiveStock("MUG-WHT", "EAST", 7, actor=c.SYSTEM))
    customer = await small.customer()
    await small.checkout(customer, sku="MUG-WHT", quantity=2)  # reserves stock: no catalog change either
    card = await other_shop.views.product(sku="MUG-WHT")
    assert card is not None and card.variants[0].available == 55
    await chat.say("show me mugs")
    assert "In stock: 55" in chat.text, chat.text
    assert other_shop.views.projection.loads == loads  # stock moves every order; the catalog did not change


async def test_the_catalog_is_read_once_while_nothing_changes(small: SmallShop, nlu_engine: NluEngine) -> None:
    chat = Chat(make_engine(small.shop, nlu_engine))
    await chat.say("show me red shoes")
    loads = small.shop.views.projection.loads
    for text in ("show me mugs", "blue shoes", "show my cart", "browse categories"):
        await chat.say(text)
    assert small.shop.views.projection.loads == loads


async def test_checkout_charges_a_price_another_process_changed_and_the_cart_refuses_what_it_archived(
    small: SmallShop, other_shop: Shop
) -> None:
    """The cart read carries the catalog's version: the commands that price from memory see every change."""
    customer = await small.customer()
    shopper = Actor.shopper(customer)
    await other_shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=shopper))  # the catalog in memory, warm
    await small.shop.bus.handle(c.UpsertProduct(
        "Hearth Ceramic Mug", (c.VariantSpec("MUG-WHT", 1450, {"color": "white"}),), ("Home", "Mugs"),
        brand="Hearth", actor=c.SYSTEM))  # fmt: skip
    order_id = await other_shop.bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=shopper))
    order = await other_shop.views.order(order_id)
    assert order is not None and order.subtotal == 1450
    await small.shop.bus.handle(c.ArchiveProduct("stride-running-shoes", actor=c.SYSTEM))
    with pytest.raises(NotFound):
        await other_shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 1, actor=shopper))
