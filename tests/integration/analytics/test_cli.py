"""``chatshop analytics backfill`` and ``verify`` from the terminal: verify exits 1 naming the differing row,
backfill repairs it and verify then says 0 mismatches."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.integration.test_seed_and_cli import cli


def test_verify_exits_1_on_a_differing_rollup_and_backfill_repairs_it(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    assert cli("db", "upgrade", db=db, cwd=tmp_path).returncode == 0
    # Its history (18 months, fewer orders than the default to keep this quick) fills the rollups.
    seeded = cli("seed", "--demo", "--customers", "500", "--orders", "2000", db=db, cwd=tmp_path)
    assert seeded.returncode == 0 and "500 customers, 2000 past orders" in seeded.stdout, seeded.stderr
    clean = cli("analytics", "verify", db=db, cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "0 mismatches" in clean.stdout
    with sqlite3.connect(db) as conn:
        day = conn.execute("SELECT max(day) FROM rollup_sales_daily").fetchone()[0]
        conn.execute("UPDATE rollup_sales_daily SET net = net + 7 WHERE day = ?", (day,))
    broken = cli("analytics", "verify", db=db, cwd=tmp_path)
    assert broken.returncode == 1
    assert "rollup_sales_daily" in broken.stdout and day in broken.stdout and "mismatches" in broken.stdout
    rebuilt = cli("analytics", "backfill", db=db, cwd=tmp_path)
    assert rebuilt.returncode == 0 and "rollup_order_facts" in rebuilt.stdout
    assert cli("analytics", "verify", db=db, cwd=tmp_path).returncode == 0
