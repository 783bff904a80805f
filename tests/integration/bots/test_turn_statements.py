"""What a shopper turn costs the database: statements, and connections taken from the pool.

A turn is one unit of data access: its views share one read connection (opened on the first view), and
its command, if any, takes one more. Catalog rows come from memory (one read of the catalog's version per
turn); the turn's analytics rows are buffered and written with other turns' in one executemany. Counts,
not timings: they do not depend on the machine's load, so upper bounds can be asserted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import CartSummary, ProductCard, ProductList
from domain import commands as c
from domain.model.staff import Actor
from nlu.interface import NluEngine
from tests.integration.bots.conftest import Chat, make_engine
from tests.support.shopdata import SmallShop


@dataclass
class Seen:
    sql: list[str] = field(default_factory=list)
    begins: list[str] = field(default_factory=list)  # SQLite's own; asyncpg's BEGIN is not seen here
    checkouts: int = 0

    def reading(self, table: str) -> list[str]:
        return [s for s in self.sql if s.startswith("SELECT") and f"FROM {table}" in s]


@contextmanager
def counting(small: SmallShop) -> Iterator[Seen]:
    """Every statement through the shop's engine (BEGIN left out: asyncpg's is not seen here) and every
    connection checked out of its pool while the block runs."""
    seen = Seen()

    def statement(conn: Any, cursor: Any, sql: str, parameters: Any, context: Any, executemany: bool) -> None:
        (seen.begins if sql.startswith("BEGIN") else seen.sql).append(" ".join(sql.split()))

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        seen.checkouts += 1

    engine = small.shop.engine.sync_engine
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", checkout)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine.pool, "checkout", checkout)


async def two_shoes(small: SmallShop) -> None:
    await small.shop.bus.handle(c.UpsertProduct(
        "Stride Trail Shoes", (c.VariantSpec("TRAIL-RED-42", 9500, {"color": "red", "size": "42"}),), ("Shoes",),
        brand="Stride", actor=c.SYSTEM))  # fmt: skip
    await small.shop.bus.handle(c.ReceiveStock("TRAIL-RED-42", "EAST", 4, actor=c.SYSTEM))


def report(name: str, seen: Seen) -> None:
    print(f"{name}: {len(seen.sql)} statements, {seen.checkouts} connections")
    print("\n".join(seen.sql))


async def test_a_search_turn_reads_the_catalogs_version_and_the_stock_and_writes_nothing(
    small: SmallShop, engine: ConversationEngine
) -> None:
    await two_shoes(small)
    chat = Chat(engine)
    await chat.say("hello")  # the shopper is known from here on
    await chat.say("blue shoes")  # the catalog changed since the shop started: loaded here, once
    with counting(small) as seen:
        await chat.say("red shoes")
    assert isinstance(chat.last[0], ProductList) and len(chat.last[0].items) == 2
    report("search turn", seen)
    # Was 6 connections and 7 statements on SQLite (a session per view call, the categories read twice, an
    # INSERT per analytics row), then 2 connections and 5 statements: now the catalog's version (the copy in
    # memory is current; the category names are matched first) and the stock of the matching variants;
    # the analytics rows wait in the buffer.
    assert seen.checkouts == 1
    assert len(seen.sql) == 2 and seen.reading("catalog_version") and seen.reading("stock_levels"), seen.sql
    assert small.shop.analytics.pending >= 1
    with counting(small) as seen:
        await small.shop.analytics.flush()
    assert [s for s in seen.sql if s.startswith("INSERT")] == [seen.sql[0]]
    assert seen.sql[0].startswith("INSERT INTO analytics_events") and len(seen.sql) == 1


async def test_a_product_card_turn_is_one_statement_for_the_catalogs_version_and_the_stock(
    small: SmallShop, engine: ConversationEngine
) -> None:
    await two_shoes(small)
    chat = Chat(engine)
    await chat.say("red shoes")
    with counting(small) as seen:
        await chat.press("Stride Trail Shoes")
    assert isinstance(chat.last[0], ProductCard) and chat.last[0].name == "Stride Trail Shoes"
    report("product card turn", seen)
    # Was 7 connections and 7 statements on SQLite (the product read twice), then 2 and 4 (the product, its
    # variants with their stock, the category path and the analytics): now the version with the stock.
    assert seen.checkouts == 1
    assert len(seen.sql) == 1 and seen.reading("catalog_version") and "FROM stock_levels" in seen.sql[0], seen.sql


async def test_a_turn_that_reads_changes_and_reads_again_sees_its_own_change(
    small: SmallShop, engine: ConversationEngine
) -> None:
    """ "+" on a cart line reads the cart, sets the quantity, and shows the cart again: the read transaction
    ends before the command, so the second read sees it (a snapshot kept across the command would show 1)."""
    chat = Chat(engine)
    await chat.say("show me red shoes")
    with counting(small) as seen:
        await chat.press("Add to cart")
    assert "Added 1 x Stride Running Shoes" in chat.text
    report("add to cart turn", seen)
    assert seen.checkouts <= 2  # the card's read, then the command
    await chat.press("View cart")
    with counting(small) as seen:
        await chat.press("+")
    cart = chat.last[0]
    assert isinstance(cart, CartSummary) and [line.quantity for line in cart.lines] == [2], chat.text
    assert "160.00 USD" in chat.text
    report("quantity turn", seen)
    assert len(seen.reading("products")) == 0  # names and prices of the cart come from the catalog in memory
    assert seen.checkouts <= 3  # the cart, the command, the cart again


async def test_a_returning_shopper_is_identified_without_a_write_lock(small: SmallShop) -> None:
    customer = await small.customer("web-7")
    with counting(small) as seen:
        again = await small.customer("web-7")
    assert again == customer
    assert not [s for s in seen.sql if not s.startswith("SELECT")], seen.sql
    assert "BEGIN IMMEDIATE" not in seen.begins  # SQLite's write lock, which every writer waits for


async def test_a_returning_shoppers_first_turn_in_a_new_conversation_writes_nothing(
    small: SmallShop, engine: ConversationEngine, nlu_engine: NluEngine
) -> None:
    """Identifying a known shopper and looking for an open hand-off ticket are looks, and the turn's
    analytics wait in the buffer: no write lock at all."""
    await Chat(engine).say("hello")
    fresh = Chat(make_engine(small.shop, nlu_engine))  # a new process: no conversation state yet
    with counting(small) as seen:
        await fresh.say("hello")
    assert "Browse categories" in fresh.text
    assert not [s for s in seen.sql if not s.startswith("SELECT")], seen.sql
    assert "BEGIN IMMEDIATE" not in seen.begins


async def test_asking_again_for_a_payment_link_reuses_it_without_a_write_lock(small: SmallShop) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer)
    first = await small.shop.bus.handle(c.StartPayment(order_id, actor=Actor.shopper(customer)))
    with counting(small) as seen:
        again = await small.shop.bus.handle(c.StartPayment(order_id, actor=Actor.shopper(customer)))
    assert again.url == first.url
    assert not [s for s in seen.sql if not s.startswith("SELECT")], seen.sql
    assert "BEGIN IMMEDIATE" not in seen.begins


async def test_a_start_from_a_reachable_shopper_takes_no_write_lock(small: SmallShop) -> None:
    """Every Telegram /start says the shopper is reachable; nearly always nothing changes, so it is a look."""
    customer = await small.customer()
    with counting(small) as seen:
        changed = await small.shop.bus.handle(c.SetChannelReachable(customer, "telegram", reachable=True))
    assert changed is False
    assert not [s for s in seen.sql if not s.startswith("SELECT")], seen.sql
    assert "BEGIN IMMEDIATE" not in seen.begins
    assert await small.shop.bus.handle(c.SetChannelReachable(customer, "telegram", reachable=False)) is True
    assert await small.shop.bus.handle(c.SetChannelReachable(customer, "telegram", reachable=True)) is True
