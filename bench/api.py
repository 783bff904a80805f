"""The admin API's order list on a big PostgreSQL shop, beside a bare aiohttp JSON handler.

    python bench/api.py [--url postgresql+asyncpg://…] [--orders 100000] [--seconds 10] [--clients 8] [--json]
    python bench/api.py --smoke --json      # a tiny run, for tests/integration/test_benches_smoke.py

Fills its own database (`<name>_api`) with N orders (2 lines each) with INSERT … SELECT generate_series,
serves `chatshop run`'s app with the admin API on loopback, and has C clients request
`GET /api/v1/orders?limit=50` (with a key: auth, scope, rate limit, keyset page, serialisation) for S seconds.
In the same run the same clients ask a bare aiohttp handler that encodes the same 50 rows from a list.
`ratio` = API requests/s ÷ bare requests/s (the issue's goal: ≥ 0.3).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url

from admin_api.rest.settings import ApiSettings
from chatshop.api_wiring import mount_admin_api
from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from chatshop.web import create_app
from domain import commands as c
from domain.adapters.api_access import SqlApiKeyStore
from domain.adapters.db import create_engine
from domain.adapters.migrate import upgrade

FILL = """
INSERT INTO orders (customer_id, channel, currency, status, shipping_method, shipping_address, subtotal, discount,
                    shipping, tax_rate_bp, tax, total, captured, refunded, placed_at, paid_at, updated_at,
                    approval_reasons)
SELECT 1 + (g % :customers), 'telegram', 'USD', 'delivered', 'standard', '{}'::jsonb, 5000 + (g % 9000), 0, 500, 0,
       0, 5500 + (g % 9000), 5500 + (g % 9000), 0,
       now() - ((g % 525600) || ' minutes')::interval,
       now() - ((g % 525600) || ' minutes')::interval + interval '3 min',
       now() - ((g % 525600) || ' minutes')::interval + interval '3 min', '[]'::jsonb
FROM generate_series(1, :n) AS g
"""
LINES = """
INSERT INTO order_lines (order_id, variant_id, product_id, sku, name, unit_price, quantity, discount)
SELECT o.id, v.id, v.product_id, v.sku, 'Product', 2500, 1 + (o.id % 2), 0
FROM orders o JOIN variants v ON v.id = 1 + (o.id % :variants)
"""


async def fresh_database(url: str) -> str:
    parsed = make_url(Settings(database_url=url, _env_file=None).database_url)  # type: ignore[call-arg]
    db = f"{parsed.database}_api"
    admin = create_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{db}"'))
    await admin.dispose()
    target = parsed.set(database=db).render_as_string(hide_password=False)
    await asyncio.to_thread(upgrade, target)
    return target


async def load(url: str, headers: dict[str, str], clients: int, seconds: float) -> tuple[int, list[float]]:
    """``clients`` loops asking ``url`` for ``seconds``; returns the requests answered and their latencies."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:

        async def client() -> None:
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                async with http.get(url) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status
                latencies.append(time.perf_counter() - start)

        await asyncio.gather(*(client() for _ in range(clients)))
    return len(latencies), latencies


def figures(count: int, latencies: list[float], seconds: float) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "rps": round(count / seconds, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--url",
        default=os.environ.get("CHATSHOP_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--smoke", action="store_true", help="200 orders, 0.5 s per side")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.orders, args.seconds, args.clients = 200, 0.5, 2
    url = await fresh_database(args.url)
    shop = build_shop(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    for i in range(20):
        await shop.bus.handle(c.UpsertProduct(f"Product {i}", (c.VariantSpec(f"P-{i}", 2500),), actor=c.SYSTEM))
    fill_start = time.perf_counter()
    async with shop.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO customers (name, locale, timezone, tags, notes, addresses, "
                "marketing_opt_in, unreachable_channels, created_at, updated_at) SELECT 'c' || g, 'en', 'UTC', "
                "'[]', '', '[]', true, '[]', now(), now() FROM generate_series(1, :n) g"
            ),
            {"n": 5000},
        )
        await conn.execute(text(FILL), {"n": args.orders, "customers": 5000})
        await conn.execute(text(LINES), {"variants": 20})
    async with shop.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("orders", "order_lines", "customers"):
            await conn.execute(text(f"VACUUM ANALYZE {table}"))
    fill_seconds = time.perf_counter() - fill_start
    _, key = await SqlApiKeyStore(shop.sessions, shop.clock).create("bench", frozenset({"orders:read"}))

    app = create_app(shop, [], media_dir=Path("var") / "media")
    mount_admin_api(app, shop, ApiSettings(rate_limit="10000000/minute", _env_file=None))  # type: ignore[call-arg]
    rows: dict[str, object] = {}

    async def bare(_: web.Request) -> web.Response:
        return web.json_response(rows)  # the same 50 rows, from a list, encoded per request

    app.router.add_get("/bare/orders", bare)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {key}"}
    async with aiohttp.ClientSession(headers=headers) as http, http.get(f"{base}/api/v1/orders?limit=50") as resp:
        rows = await resp.json()
        assert resp.status == 200 and len(rows["items"]) == min(50, args.orders)
    try:
        api_count, api_lat = await load(f"{base}/api/v1/orders?limit=50", headers, args.clients, args.seconds)
        bare_count, bare_lat = await load(f"{base}/bare/orders", headers, args.clients, args.seconds)
    finally:
        await runner.cleanup()
        await shop.close()
    api, bare_fig = figures(api_count, api_lat, args.seconds), figures(bare_count, bare_lat, args.seconds)
    result = {
        "benchmark": "api",
        "orders": args.orders,
        "clients": args.clients,
        "seconds": args.seconds,
        "fill_s": round(fill_seconds, 1),
        "api_rps": api["rps"],
        "api_p50_ms": api["p50_ms"],
        "api_p99_ms": api["p99_ms"],
        "bare_rps": bare_fig["rps"],
        "bare_p50_ms": bare_fig["p50_ms"],
        "bare_p99_ms": bare_fig["p99_ms"],
        "ratio": round(api["rps"] / bare_fig["rps"], 3) if bare_fig["rps"] else 0.0,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.orders:,} orders filled in {fill_seconds:.1f} s; {args.clients} clients, {args.seconds} s each")
    print(f"GET /api/v1/orders?limit=50  {api['rps']:>8} req/s  p50 {api['p50_ms']} ms  p99 {api['p99_ms']} ms")
    bare_line = f"{bare_fig['rps']:>8} req/s  p50 {bare_fig['p50_ms']} ms  p99 {bare_fig['p99_ms']} ms"
    print(f"bare aiohttp, same 50 rows   {bare_line}")
    print(f"ratio: {result['ratio']}")


if __name__ == "__main__":
    asyncio.run(main())
