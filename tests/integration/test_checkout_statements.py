"""How many SQL statements the hot checkout commands cost, and where the stock lock sits among them.

A count is not a timing: it does not depend on the machine's load, so an upper bound can be asserted.
Every round trip on PostgreSQL is a wait, and every statement after the stock rows are locked is a wait
every other checkout of that SKU shares.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from domain import commands as c
from domain.model.staff import Actor
from tests.support.shopdata import ADDRESS, SmallShop


@dataclass
class Statements:
    sql: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.sql)

    def index(self, needle: str) -> int:
        return next(i for i, s in enumerate(self.sql) if needle in s)

    def after_stock_lock(self) -> list[str]:
        """Statements from the first that locks stock rows on: a SELECT … FOR UPDATE or an UPDATE of them (the
        plain read before them locks nothing; SQLite holds its write lock for the whole transaction anyway)."""
        start = next(i for i, s in enumerate(self.sql) if "stock_levels" in s and "UPDATE" in s)
        return self.sql[start:]


_CATALOG_TABLES = ("variants", "products", "categories", "warehouses", "shipping_methods")


# The live stock reads keep to the rows of active warehouses with this subquery: a filter, not a read of
# the catalog's rows.
_SELLABLE_ROWS = "IN (SELECT warehouses.id FROM warehouses WHERE warehouses.active)"


def catalog_reads(seen: Statements) -> list[str]:
    """Statements that read catalog tables: pricing comes from the catalog held in memory (``catalog_version``,
    read in the cart read, says it is current), so a warm checkout or add has none."""
    return [s for s in seen.sql if s.startswith(("SELECT", "WITH")) and any(f"FROM {t}" in s.replace(_SELLABLE_ROWS, "")
            or f"JOIN {t}" in s for t in _CATALOG_TABLES)]  # fmt: skip


def version_reads(seen: Statements) -> list[str]:
    """Statements of their own that read ``catalog_version`` (it rides in the cart read instead)."""
    return [s for s in seen.sql if s.startswith("SELECT catalog_version")]


@contextmanager
def counting(small: SmallShop) -> Iterator[Statements]:
    """Every statement sent through the shop's engine while the block runs (BEGIN/COMMIT are not statements
    the DBAPI sees on every driver, so they are left out)."""
    seen = Statements()

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if not statement.startswith("BEGIN"):  # SQLite's BEGIN IMMEDIATE; asyncpg's BEGIN is not seen here
            seen.sql.append(" ".join(statement.split()))

    engine = small.shop.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _cart_ready(small: SmallShop, coupon: str | None = None) -> int:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 1, actor=Actor.shopper(customer)))
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 2, actor=Actor.shopper(customer)))
    if coupon:
        await small.shop.bus.handle(c.ApplyCoupon(customer, coupon, actor=Actor.shopper(customer)))
    return customer


async def test_place_order_takes_at_most_thirteen_statements_and_one_from_the_stock_lock(small: SmallShop) -> None:
    customer = await _cart_ready(small)
    with counting(small) as seen:
        await small.shop.bus.handle(
            c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer))
        )
    print(f"PlaceOrder: {len(seen)} statements, {len(seen.after_stock_lock())} from the stock lock on")
    print("\n".join(seen.sql))
    # Was 28 on SQLite, 25 on PostgreSQL (variants three times, products twice, categories one by one, a
    # flush per add), 13 of them from the stock read on; then 5 (the locked read, the ledger, the holds, the
    # stock UPDATE and the outbox). Now the ledger, the holds and the outbox are written before the lock and
    # the one conditional UPDATE that locks, checks and reserves is the last statement before the commit.
    # 18 since the order's timeline row (order_events) is written with the outbox's, before the lock; 15 since
    # the variants, products, warehouses and shipping method come from the catalog in memory (one version
    # read) and the cart's lines are joined to the cart; 14 (13 on PostgreSQL) since that version read rides
    # in the cart read; 13 on both since the order's lines are one multi-row INSERT … RETURNING (SQLite's ORM
    # sent one per line).
    assert len(seen) <= 13
    assert not catalog_reads(seen)
    assert not version_reads(seen)
    assert len([s for s in seen.sql if s.startswith("INSERT INTO order_lines")]) == 1  # whatever the lines
    assert len(seen.after_stock_lock()) == 1
    assert seen.after_stock_lock()[0].startswith(("WITH locked", "UPDATE stock_levels"))


async def test_place_order_with_a_coupon_takes_at_most_18_statements_and_two_from_the_stock_lock(
    small: SmallShop,
) -> None:
    customer = await _cart_ready(small, "WELCOME10")
    with counting(small) as seen:
        await small.shop.bus.handle(
            c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer))
        )
    print(f"PlaceOrder with a coupon: {len(seen)} statements, {len(seen.after_stock_lock())} from the stock lock on")
    print("\n".join(seen.sql))
    # Was 40 on SQLite, 37 on PostgreSQL, with the coupon row locked before the stock rows and held to the end.
    assert len(seen) <= 18  # 23 before the order's timeline row, 24 with it; 20 with the catalog (category
    # lineages included) from memory and the cart's lines joined; 19 (18 on PostgreSQL) with the catalog's
    # version read in the cart read; 18 on both with the order's lines in one INSERT
    assert not catalog_reads(seen)
    assert len(seen.after_stock_lock()) == 2  # was 6: the stock UPDATE, then the coupon's
    # The coupon row is touched once, by the conditional UPDATE, after the stock rows: one lock order.
    assert not [s for s in seen.sql if "FROM coupons" in s and "FOR UPDATE" in s]
    assert seen.index("UPDATE coupons") == len(seen) - 1  # then only the commit
    assert seen.index("UPDATE coupons") > seen.index("UPDATE stock_levels")


async def test_add_to_cart_takes_at_most_four_statements_and_adds_in_the_database(small: SmallShop) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    with counting(small) as seen:
        await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 2, actor=Actor.shopper(customer)))
    print(f"AddToCart: {len(seen)} statements")
    print("\n".join(seen.sql))
    # Was 9: the product reloaded with all its variants, stock read apart, the line written back as an
    # absolute quantity (a concurrent add elsewhere was lost); then 6; 5 since the variant comes from the
    # catalog in memory and the cart's lines are joined to the cart; 4 since the catalog's version is read in
    # the cart read (the cart is read first).
    assert len(seen) <= 4
    assert not catalog_reads(seen)
    assert not version_reads(seen)
    assert [s for s in seen.sql if s.startswith("INSERT INTO cart_lines") and "ON CONFLICT" in s]
