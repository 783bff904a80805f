"""Where one checkout's CPU goes: cProfile over warm checkouts (AddToCart then PlaceOrder, one client), the top
entries by cumulative time, plus the statements each command sends.

    python bench/profile_checkout.py [--url postgresql+asyncpg://…] [--sqlite] [--checkouts 200] [--top 25]

One client on purpose: with no lock waits, what is left is the Python and driver work a checkout costs, the
part that bounds the ratio to a bare conditional UPDATE. Uses the same database as checkout_contention
(``<name>_bench``, recreated) or a SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from bench.checkout_contention import ADDRESS, prepare_database, prepare_sqlite
from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.model.customers import Channel
from domain.model.staff import Actor


async def run(args: argparse.Namespace, directory: str) -> str:
    if args.sqlite:
        url = await prepare_sqlite(directory)
    else:
        url = await prepare_database(Settings(database_url=args.url, _env_file=None).database_url)  # type: ignore[call-arg]
    shop = build_shop(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    await shop.bus.handle(c.CreateWarehouse("MAIN", "Main", 1, actor=c.SYSTEM))
    await shop.bus.handle(c.CreateShippingMethod("standard", "Standard", 500, actor=c.SYSTEM))
    await shop.bus.handle(c.UpsertProduct("Hot Sneaker", (c.VariantSpec("HOT-1", 12000),), actor=c.SYSTEM))
    await shop.bus.handle(c.ReceiveStock("HOT-1", "MAIN", 1_000_000, actor=c.SYSTEM))
    customer = int(await shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "profiled")))
    actor = Actor.shopper(customer)

    async def checkout() -> None:
        await shop.bus.handle(c.AddToCart(customer, "HOT-1", 1, actor=actor))
        await shop.bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=actor))

    for _ in range(20):  # warm: the catalog in memory, SQLAlchemy's statement caches, the pool
        await checkout()
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    event.listen(shop.engine.sync_engine, "before_cursor_execute", record)
    await checkout()
    event.remove(shop.engine.sync_engine, "before_cursor_execute", record)
    per_checkout = len(statements)

    profile = cProfile.Profile()
    started = time.perf_counter()
    cpu = time.process_time()
    profile.enable()
    for _ in range(args.checkouts):
        await checkout()
    profile.disable()
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - started
    await shop.close()
    out = io.StringIO()
    database = "sqlite" if args.sqlite else "postgresql"
    out.write(
        f"{args.checkouts} warm checkouts (AddToCart + PlaceOrder), one client, {database}: "
        f"{wall / args.checkouts * 1000:.2f} ms wall, {cpu / args.checkouts * 1000:.2f} ms CPU each (unprofiled "
        f"figures are lower: cProfile adds its own cost); {per_checkout} statements per checkout\n\n"
    )
    pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(args.top)
    return out.getvalue()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--checkouts", type=int, default=200)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        print(await run(args, directory))


if __name__ == "__main__":
    asyncio.run(main())
