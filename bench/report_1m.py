"""Report queries on a million orders (PostgreSQL or SQLite): how long sales-by-day and friends take.

    python bench/report_1m.py [--url postgresql+asyncpg://…|sqlite+aiosqlite:///path.db] [--orders 1000000] [--json]

Fills its own database (`<name>_report1m`, or `<path>_report1m.db` beside a SQLite path) with N paid orders
spread over 365 days (2 lines each) using INSERT … SELECT generate_series (a recursive CTE on SQLite), then
times each report (best of 3) beside a full-table count(*) over the same orders measured in the same run
(`ratio` = 30-day sales-by-day / full count).

Then it fills the dashboard's rollups with ``chatshop analytics backfill``'s code (INSERT … SELECT from the
generated rows) and times every dashboard query from the rollups (p50 of 21 runs) beside the same report
from the raw rows in the same run: ``dashboard`` lists each with ``rollup_ms``, ``raw_ms`` and their ``ratio``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.adapters.db import create_engine
from domain.adapters.migrate import upgrade
from domain.adapters.rollup_views import RollupViews
from domain.adapters.rollups import backfill

CUSTOMERS = """
INSERT INTO customers (name, locale, timezone, tags, notes, addresses, marketing_opt_in, unreachable_channels,
                       created_at, updated_at)
SELECT 'c' || g, 'en', 'UTC', '[]', '', '[]', true, '[]', now(), now() FROM generate_series(1, :customers) g
"""
FILL = """
INSERT INTO orders (customer_id, channel, currency, status, shipping_method, shipping_address, subtotal, discount,
                    shipping, tax_rate_bp, tax, total, captured, refunded, placed_at, paid_at, updated_at,
                    approval_reasons)
SELECT 1 + (g % :customers), CASE WHEN g % 3 = 0 THEN 'webchat' ELSE 'telegram' END, 'USD', 'delivered',
       'standard', jsonb_build_object('country', substr('USCNDEFRGB', 1 + 2 * (g % 5), 2)), 5000 + (g % 9000), 0,
       500, 0, 0, 5500 + (g % 9000), 5500 + (g % 9000), CASE WHEN g % 50 = 0 THEN 1000 ELSE 0 END,
       now() - ((g % 525600) || ' minutes')::interval,
       now() - ((g % 525600) || ' minutes')::interval + interval '3 min',
       now(), '[]'::jsonb
FROM generate_series(1, :n) AS g
"""
LINES = """
INSERT INTO order_lines (order_id, variant_id, product_id, sku, name, unit_price, quantity, discount)
SELECT o.id, v.id, v.product_id, v.sku, 'Product', 2500, 1 + (o.id % 2), 0
FROM orders o JOIN variants v ON v.id = 1 + (o.id % :variants)
"""
POSTGRES_FILL = (CUSTOMERS, FILL, LINES)
# The same rows on SQLite: a recursive CTE counts instead of generate_series; times stored as SQLAlchemy does.
SQLITE_SERIES = "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {limit}) "
SQLITE_AGO = "strftime('%Y-%m-%d %H:%M:%S.000000', 'now', '-' || (g % 525600) || ' minutes'{extra})"
SQLITE_FILL = (
    SQLITE_SERIES.format(limit=":customers")
    + "INSERT INTO customers (name, locale, timezone, tags, notes, addresses, marketing_opt_in, "
    "unreachable_channels, created_at, updated_at) SELECT 'c' || g, 'en', 'UTC', '[]', '', '[]', 1, '[]', "
    "strftime('%Y-%m-%d %H:%M:%S.000000', 'now'), strftime('%Y-%m-%d %H:%M:%S.000000', 'now') FROM s",
    SQLITE_SERIES.format(limit=":n")
    + "INSERT INTO orders (customer_id, channel, currency, status, shipping_method, shipping_address, subtotal, "
    "discount, shipping, tax_rate_bp, tax, total, captured, refunded, placed_at, paid_at, updated_at, "
    "approval_reasons) SELECT 1 + (g % :customers), CASE WHEN g % 3 = 0 THEN 'webchat' ELSE 'telegram' END, "
    "'USD', 'delivered', 'standard', json_object('country', substr('USCNDEFRGB', 1 + 2 * (g % 5), 2)), "
    "5000 + (g % 9000), 0, 500, 0, 0, 5500 + (g % 9000), 5500 + (g % 9000), "
    "CASE WHEN g % 50 = 0 THEN 1000 ELSE 0 END, "
    + SQLITE_AGO.format(extra="")
    + ", "
    + SQLITE_AGO.format(extra=", '+3 minutes'")
    + ", strftime('%Y-%m-%d %H:%M:%S.000000', 'now'), '[]' FROM s",
    LINES,
)


async def fresh_postgres(parsed: URL) -> str:
    db = f"{parsed.database}_report1m"
    admin = create_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{db}"'))
    await admin.dispose()
    return parsed.set(database=db).render_as_string(hide_password=False)


async def fresh_sqlite(parsed: URL) -> str:
    path = Path(parsed.database or "report.db")
    path = path.with_name(f"{path.stem}_report1m.db")
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return parsed.set(database=str(path)).render_as_string(hide_password=False)


async def timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        best = min(best, time.perf_counter() - start)
    return best


async def p50(fn, repeat: int = 21) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def dashboard(shop, today):  # type: ignore[no-untyped-def]
    """Each dashboard query from the rollups and its raw-row counterpart, p50 in ms."""
    rollups = RollupViews(shop.sessions, shop.settings.currency, shop.clock)
    views = shop.views
    start_of = {n: today - timedelta(days=n - 1) for n in (1, 7, 30, 90)}
    day0 = datetime.combine(start_of[30], dtime.min, tzinfo=UTC)
    day1 = datetime.combine(today + timedelta(days=1), dtime.min, tzinfo=UTC)
    pairs = {
        "totals_30d": (lambda: rollups.totals(start_of[30], today), lambda: views.sales_overview(day0, day1)),
        "trend_30d": (lambda: rollups.trend(start_of[30], today), lambda: views.sales(start_of[30], today)),
        "trend_90d": (lambda: rollups.trend(start_of[90], today), lambda: views.sales(start_of[90], today)),
        "top_products_7d": (
            lambda: rollups.top_products(start_of[7], today),
            lambda: views.top_products_by_revenue(start_of[7], today),
        ),
        "top_products_30d": (
            lambda: rollups.top_products(start_of[30], today),
            lambda: views.top_products_by_revenue(start_of[30], today),
        ),
        "funnel_30d": (lambda: rollups.funnel(start_of[30], today), lambda: views.funnel(start_of[30], today)),
    }
    out = {}
    for name, (fast, raw) in pairs.items():
        r, w = await p50(fast), await p50(raw, repeat=5)
        out[name] = {"rollup_ms": round(r * 1000, 3), "raw_ms": round(w * 1000, 2), "ratio": round(r / w, 4)}
    for name, fn in {
        "top_categories_30d": lambda: rollups.top_categories(start_of[30], today),
        "sales_by_country_30d": lambda: rollups.sales_by("country", start_of[30], today),
        "sales_by_channel_30d": lambda: rollups.sales_by("channel", start_of[30], today),
        "campaigns_30d": lambda: rollups.campaigns(start_of[30], today),
        "cohorts_12m": lambda: rollups.cohorts(today.replace(day=1) - timedelta(days=365)),
    }.items():
        out[name] = {"rollup_ms": round(await p50(fn) * 1000, 3)}
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--url",
        default=os.environ.get("CHATSHOP_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    parsed = make_url(Settings(database_url=args.url, _env_file=None).database_url)  # type: ignore[call-arg]
    sqlite = parsed.get_backend_name() == "sqlite"
    url = await (fresh_sqlite(parsed) if sqlite else fresh_postgres(parsed))
    await asyncio.to_thread(upgrade, url)
    shop = build_shop(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    for i in range(20):
        spec = (c.VariantSpec(f"P-{i}", 2500),)
        await shop.bus.handle(c.UpsertProduct(f"Product {i}", spec, (f"Category {i % 5}",), actor=c.SYSTEM))
    customers = 5000
    fill_start = time.perf_counter()
    async with shop.engine.begin() as conn:
        for statement in SQLITE_FILL if sqlite else POSTGRES_FILL:
            await conn.execute(text(statement), {"n": args.orders, "customers": customers, "variants": 20})
    async with shop.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        for statement in ("ANALYZE",) if sqlite else ("VACUUM ANALYZE orders", "VACUUM ANALYZE order_lines"):
            await conn.execute(text(statement))
    fill_seconds = time.perf_counter() - fill_start
    today = shop.clock.now().date()

    async def full_count() -> None:
        async with shop.engine.connect() as conn:
            await conn.execute(text("SELECT count(*), sum(total) FROM orders"))

    figures = {
        "full_count_s": await timed(full_count),
        "sales_by_day_30d_s": await timed(lambda: shop.views.sales(today - timedelta(days=29), today)),
        "sales_by_day_7d_s": await timed(lambda: shop.views.sales(today - timedelta(days=6), today)),
        "sales_by_day_1d_s": await timed(lambda: shop.views.sales(today, today)),
        "top_products_7d_s": await timed(lambda: shop.views.top_products(today - timedelta(days=6), today)),
        "customer_profile_s": await timed(lambda: shop.views.customer(42)),
    }
    backfill_start = time.perf_counter()
    await backfill(shop.sessions)
    backfill_seconds = time.perf_counter() - backfill_start
    if not sqlite:
        async with shop.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    board = await dashboard(shop, today)
    await shop.close()
    result = {
        "benchmark": "report_1m",
        "orders": args.orders,
        "database": "sqlite" if sqlite else "postgresql",
        "fill_s": round(fill_seconds, 1),
        "ratio": round(figures["sales_by_day_30d_s"] / figures["full_count_s"], 4),
    } | {k: round(v, 4) for k, v in figures.items()}
    result |= {"backfill_s": round(backfill_seconds, 1), "dashboard": board}
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.orders:,} orders filled in {fill_seconds:.1f} s")
    print(f"{'query':<24} {'seconds':>9}")
    for k, v in figures.items():
        print(f"{k:<24} {v:>9.4f}")
    print(f"ratio (30-day sales-by-day / full count): {result['ratio']}")
    print(f"rollups backfilled in {backfill_seconds:.1f} s")
    print(f"{'dashboard query':<24} {'rollup ms':>10} {'raw ms':>10} {'ratio':>8}")
    for k, v in board.items():
        print(
            f"{k:<24} {v['rollup_ms']:>10.3f} {v.get('raw_ms', float('nan')):>10.2f} {v.get('ratio', float('nan')):>8}"
        )


if __name__ == "__main__":
    asyncio.run(main())
