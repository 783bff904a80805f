"""The demo seed and the command line as a newcomer uses them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from chatshop.bootstrap import Shop
from chatshop.seed import seed_demo
from domain.adapters import orm
from domain.adapters.rollups import verify

ROOT = Path(__file__).resolve().parents[2]


async def count(shop: Shop, table: object) -> int:
    async with shop.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())  # type: ignore[arg-type]


async def test_demo_seed_builds_a_shop_with_history_and_is_idempotent(shop: Shop, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # images go under ./var/media
    first = await seed_demo(shop, customers=40, orders=300)
    assert first.products >= 200 and first.variants > first.products and first.orders == 300
    assert len(await shop.views.categories()) >= 8 + 10
    again = await seed_demo(shop, customers=40, orders=300)
    assert again == first
    assert await shop.views.ledger_mismatches() == []
    assert (tmp_path / "var" / "media" / "products" / "stride-running-shoes.png").stat().st_size > 1000
    async with shop.sessions() as session:
        coupon_codes = set((await session.execute(select(orm.coupons.c.code))).scalars())
    assert {"WELCOME10", "FREESHIP"} <= coupon_codes
    today = shop.clock.now().date()
    sales = await shop.views.sales(today - timedelta(days=29), today)
    assert sales.orders > 0 and sales.gross > 0
    async with shop.sessions() as session:
        first_order = (await session.execute(select(func.min(orm.orders.c.placed_at)))).scalar_one()
    assert first_order.date() < today - timedelta(days=500)  # 18 months of history by default
    assert await verify(shop.sessions) == []  # the seed backfilled the dashboard's rollups
    assert await count(shop, orm.warehouses) == 2
    # The NLU's shipped lookup tables are the demo catalog's words (chatshop nlu export-lookups).
    from nlu.lookups import DEFAULT_LOOKUP_DIR, write_lookup_tables

    for path in write_lookup_tables(await shop.views.vocabulary(), tmp_path / "lookups"):
        assert path.read_text(encoding="utf-8") == (DEFAULT_LOOKUP_DIR / path.name).read_text(encoding="utf-8")


def cli(*args: str, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"CHATSHOP_DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "chatshop.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_every_command_has_help() -> None:
    for args in (
        ["--help"],
        ["db", "upgrade", "--help"],
        ["seed", "--help"],
        ["catalog", "import", "--help"],
        ["stock", "adjust", "--help"],
        ["order", "refund", "--help"],
        ["customer", "forget", "--help"],
        ["run", "--help"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "chatshop.cli", *args], capture_output=True, text=True, cwd=ROOT, timeout=60
        )
        assert result.returncode == 0, result.stderr
        assert "Usage" in result.stdout


def test_operator_receives_adjusts_and_sees_stock_from_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    assert cli("db", "upgrade", db=db, cwd=tmp_path).returncode == 0
    csv = tmp_path / "c.csv"
    csv.write_text("name,sku,price,options\nKite Cap,CAP-1,15.00,color=red\n")
    assert cli("catalog", "import", str(csv), db=db, cwd=tmp_path).returncode == 0
    result = cli("stock", "receive", "CAP-1", "MAIN", "5", db=db, cwd=tmp_path)
    assert result.returncode == 1 and "No warehouse MAIN" in result.stderr  # a clear error, no traceback
    from asyncio import run

    from chatshop.bootstrap import build_shop
    from chatshop.settings import Settings
    from domain import commands as c

    async def add_warehouse() -> None:
        shop = build_shop(Settings(database_url=f"sqlite:///{db}", _env_file=None))  # type: ignore[call-arg]
        await shop.bus.handle(c.CreateWarehouse("MAIN", "Main", actor=c.SYSTEM))
        await shop.close()

    run(add_warehouse())
    assert "5 on hand" in cli("stock", "receive", "CAP-1", "MAIN", "5", db=db, cwd=tmp_path).stdout
    no_reason = cli("stock", "adjust", "CAP-1", "MAIN", "--", "-2", db=db, cwd=tmp_path)
    assert no_reason.returncode != 0
    adjusted = cli("stock", "adjust", "CAP-1", "MAIN", "--reason", "damaged", "--", "-2", db=db, cwd=tmp_path)
    assert "3 on hand" in adjusted.stdout, adjusted.stderr
    shown = cli("stock", "show", "CAP-1", db=db, cwd=tmp_path)
    assert "CAP-1" in shown.stdout and "MAIN" in shown.stdout
