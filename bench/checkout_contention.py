"""Hot-SKU checkouts per second on PostgreSQL (or SQLite), beside a bare conditional UPDATE measured in the same run.

    python bench/checkout_contention.py [--url postgresql+asyncpg://…] [--seconds 4] [--json] [--coupon] [--sqlite]

A checkout is the whole shopper path through the domain: add to cart, then place the order (re-price,
lock the stock rows, reserve, write the ledger and the outbox) — one transaction each. The baseline is
``UPDATE … SET qty = qty - 1 WHERE id = 1 AND qty > 0`` on one row, the least any stock decrement can
cost. Both run with 1, 8 and 32 concurrent clients. A final sell-out run races 32 clients for 500 units
and counts oversold units (must be 0). ``--coupon`` adds a run where every checkout applies the shared code
WELCOME10 (one use per customer, so each checkout is a fresh customer), the case that used to serialise
every coupon checkout on the coupon's row lock. Uses its own database (`<name>_bench`) and drops nothing else;
``--sqlite`` runs the same on a SQLite file in a temporary directory (one writer at a time: the figure shows
what a single-file shop can take, not contention handling).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.engine import make_url

from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.adapters.db import create_engine
from domain.adapters.migrate import upgrade
from domain.errors import OutOfStock
from domain.model.customers import Channel
from domain.model.staff import Actor

ADDRESS = {
    "name": "Bench Shopper",
    "line1": "1 Main Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}
CLIENTS = (1, 8, 32)


async def prepare_sqlite(directory: str) -> str:
    url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    return url


async def prepare_database(url: str) -> str:
    parsed = make_url(url)
    bench_db = f"{parsed.database}_bench"
    admin = create_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{bench_db}"'))
    await admin.dispose()
    bench_url = parsed.set(database=bench_db).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, bench_url)
    return bench_url


async def bare_update_rate(shop: Shop, clients: int, seconds: float) -> float:
    async with shop.engine.begin() as conn:
        await conn.execute(text("DROP TABLE IF EXISTS bench_stock"))
        await conn.execute(text("CREATE TABLE bench_stock (id int primary key, qty bigint not null)"))
        await conn.execute(text("INSERT INTO bench_stock VALUES (1, 1000000000)"))
    done = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal done
        async with shop.engine.connect() as conn:
            while time.perf_counter() < deadline:
                await conn.execute(text("UPDATE bench_stock SET qty = qty - 1 WHERE id = 1 AND qty > 0"))
                await conn.commit()
                done += 1

    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return done / (time.perf_counter() - start)


async def checkout_rate(
    shop: Shop, sku: str, clients: int, seconds: float, tag: str, coupon: str | None = None
) -> tuple[float, int]:
    done = refused = 0
    deadline = time.perf_counter() + seconds

    async def shopper(name: str) -> int:
        return int(await shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, name)))

    async def client(index: int) -> None:
        nonlocal done, refused
        customer = await shopper(f"{tag}-{index}")
        serial = 0
        while time.perf_counter() < deadline:
            try:
                await shop.bus.handle(c.AddToCart(customer, sku, 1, actor=Actor.shopper(customer)))
                if coupon is not None:
                    await shop.bus.handle(c.ApplyCoupon(customer, coupon, actor=Actor.shopper(customer)))
                await shop.bus.handle(
                    c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer))
                )
                done += 1
            except OutOfStock:
                refused += 1
                await shop.bus.handle(c.ClearCart(customer, actor=Actor.shopper(customer)))
                return
            if coupon is not None:
                # The code is once per customer: the next checkout is somebody else's.
                serial += 1
                customer = await shopper(f"{tag}-{index}-{serial}")

    start = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return done / (time.perf_counter() - start), refused


async def sell_out(shop: Shop, units: int, clients: int) -> dict[str, int]:
    await shop.bus.handle(c.UpsertProduct("Sell-out Sneaker", (c.VariantSpec("SELLOUT-1", 9900),), actor=c.SYSTEM))
    await shop.bus.handle(c.ReceiveStock("SELLOUT-1", "MAIN", units, actor=c.SYSTEM))
    customers = [await shop.bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, f"so-{i}")) for i in range(clients)]
    sold = refused = 0

    async def client(customer: int) -> None:
        nonlocal sold, refused
        while True:
            try:
                await shop.bus.handle(c.AddToCart(customer, "SELLOUT-1", 1, actor=Actor.shopper(customer)))
                await shop.bus.handle(
                    c.PlaceOrder(customer, ADDRESS, "standard", "telegram", actor=Actor.shopper(customer))
                )
                sold += 1
            except OutOfStock:
                refused += 1
                return

    await asyncio.gather(*(client(cu) for cu in customers))
    stock = await shop.views.stock("SELLOUT-1")
    assert stock is not None
    reserved = sum(r.reserved for r in stock.rows)
    mismatches = len(await shop.views.ledger_mismatches())
    return {
        "units": units,
        "orders": sold,
        "reserved": reserved,
        "oversold": max(0, sold - units) + max(0, -stock.available),
        "refused_clients": refused,
        "ledger_mismatches": mismatches,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--url",
        default=os.environ.get("CHATSHOP_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--seconds", type=float, default=4.0, help="measuring time per point")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--coupon", action="store_true", help="also measure checkouts that all use WELCOME10")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file in a temporary directory instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        await run(args, directory)


async def run(args: argparse.Namespace, directory: str) -> None:
    if args.sqlite:
        url = await prepare_sqlite(directory)
    else:
        url = await prepare_database(Settings(database_url=args.url, _env_file=None).database_url)  # type: ignore[call-arg]
    shop = build_shop(Settings(database_url=url, db_pool_size=40, _env_file=None))  # type: ignore[call-arg]
    await shop.bus.handle(c.CreateWarehouse("MAIN", "Main", 1, actor=c.SYSTEM))
    await shop.bus.handle(c.CreateShippingMethod("standard", "Standard", 500, actor=c.SYSTEM))
    await shop.bus.handle(c.UpsertProduct("Hot Sneaker", (c.VariantSpec("HOT-1", 12000),), actor=c.SYSTEM))
    await shop.bus.handle(c.ReceiveStock("HOT-1", "MAIN", 10_000_000, actor=c.SYSTEM))
    await shop.bus.handle(c.CreateCoupon("WELCOME10", "percent", 1000, actor=c.SYSTEM))
    rows = []
    for clients in CLIENTS:
        bare = await bare_update_rate(shop, clients, args.seconds)
        checkout, _ = await checkout_rate(shop, "HOT-1", clients, args.seconds, f"c{clients}")
        row: dict[str, float] = {
            "clients": clients,
            "checkouts_per_s": round(checkout, 1),
            "bare_updates_per_s": round(bare, 1),
            "ratio": round(checkout / bare, 4),
        }
        if args.coupon:
            with_coupon, _ = await checkout_rate(shop, "HOT-1", clients, args.seconds, f"w{clients}", "WELCOME10")
            row["coupon_checkouts_per_s"] = round(with_coupon, 1)
            row["coupon_ratio"] = round(with_coupon / bare, 4)
        rows.append(row)
    sellout = await sell_out(shop, 500, 32)
    await shop.close()
    result = {
        "benchmark": "checkout_contention",
        "database": "sqlite" if args.sqlite else "postgresql",
        "ratio": next(r["ratio"] for r in rows if r["clients"] == 8),
        "coupon_ratio": next((r.get("coupon_ratio") for r in rows if r["clients"] == 8), None),
        "points": rows,
        "oversold": sellout["oversold"],
        "sell_out": sellout,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{'clients':>7} {'checkouts/s':>12} {'bare UPDATE/s':>14} {'ratio':>7} {'coupon/s':>9} {'ratio':>7}")
    for r in rows:
        coupon_part = f" {r['coupon_checkouts_per_s']:>9.1f} {r['coupon_ratio']:>7.4f}" if args.coupon else ""
        print(
            f"{r['clients']:>7} {r['checkouts_per_s']:>12.1f} {r['bare_updates_per_s']:>14.1f} {r['ratio']:>7.4f}"
            + coupon_part
        )
    print(
        f"sell-out: {sellout['units']} units, 32 clients -> {sellout['orders']} orders, "
        f"oversold {sellout['oversold']}, ledger mismatches {sellout['ledger_mismatches']}"
    )


if __name__ == "__main__":
    asyncio.run(main())
