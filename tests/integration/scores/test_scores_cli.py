"""``chatshop scores backtest --json`` and ``scores run`` from the terminal, on a SQLite file with a generated
history: the JSON names every model with its AUC, Brier score and a 10-bin reliability table, the chosen model
is the best by AUC, and ``run`` fills the scores table."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from tests.integration.test_seed_and_cli import cli
from tests.support.lifecycles import insert_histories, population

pytestmark = pytest.mark.timeout(600)


async def test_backtest_json_compares_the_models_and_run_writes_the_scores(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    assert cli("db", "upgrade", db=db, cwd=tmp_path).returncode == 0
    shop = build_shop(Settings(database_url=f"sqlite+aiosqlite:///{db}", _env_file=None))  # type: ignore[call-arg]
    try:
        # The CLI judges "now" by the wall clock: a history that ends today.
        people = population(250, now=shop.clock.now())
        await insert_histories(shop, people)
    finally:
        await shop.close()
    done = cli("scores", "backtest", "--json", db=db, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report["models"]) == {"logistic", "gradient_boosting", "bgnbd"}
    for model in report["models"].values():
        assert 0.0 <= model["auc"] <= 1.0 and 0.0 <= model["brier"] <= 1.0
        assert len(model["reliability"]) == 10
        assert sum(b["customers"] for b in model["reliability"]) == report["customers"]
    best = max(m["auc"] for m in report["models"].values())
    assert report["models"][report["chosen"]]["auc"] == best
    assert report["ratio"] == pytest.approx(best / report["models"]["bgnbd"]["auc"], abs=1e-3)
    assert 0 < report["customers"] <= sum(1 for p in people if p.purchases)

    ran = cli("scores", "run", db=db, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    with sqlite3.connect(db) as conn:
        rows, models = conn.execute("SELECT count(*), count(DISTINCT model) FROM customer_scores").fetchone()
    assert rows == sum(1 for p in people if p.purchases) and models == 1
    assert f"scored {rows:,} customers" in ran.stdout
