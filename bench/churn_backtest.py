"""Churn models on a generated history: AUC, Brier and reliability per model on the held-out last 90 days, and
how long reading the histories, backtesting and scoring take.

    python bench/churn_backtest.py [--customers 5000] [--seed 7] [--json]

Writes customers and paid orders into a migrated SQLite file in a temp directory: each customer buys as a
Poisson process at their own rate (Gamma across customers, most buy every month or two) until they leave after
an exponential lifetime (mean 300 days), over up to two years. Then it reads the histories back the way
``chatshop scores run`` does, backtests (``chatshop scores backtest``) and scores everyone with the chosen model.
``ratio`` is the chosen model's AUC over the BG/NBD baseline's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from domain.adapters import orm
from domain.adapters.churn_models import SklearnChurnModels
from domain.adapters.migrate import upgrade
from domain.adapters.scores_store import SqlScoreStore
from domain.model.orders import OrderStatus
from domain.scoring import score_customers

NOW = datetime(2026, 12, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def lifecycles(n: int, seed: int) -> list[tuple[datetime, list[tuple[datetime, int, bool]]]]:
    rng = random.Random(seed)
    people = []
    for _ in range(n):
        start = NOW - rng.uniform(60, 720) * DAY
        rate = rng.gammavariate(1.5, 1 / 40)
        leaves = start + rng.expovariate(1 / 300) * DAY
        spend = rng.choice((2500, 6000, 15000))
        at, buys = start, []
        while rate > 0:
            at += rng.expovariate(rate) * DAY
            if at > min(leaves, NOW):
                break
            buys.append((at, int(spend * rng.uniform(0.6, 1.4)), rng.random() < 0.05))
        people.append((start, buys))
    return people


async def main(customers: int, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/shop.db"
        await asyncio.to_thread(upgrade, url)
        shop = build_shop(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
        try:
            people = lifecycles(customers, seed)
            async with shop.sessions() as session, session.begin():
                rows = [
                    {"name": f"C{i}", "locale": "en", "timezone": "UTC", "tags": [], "notes": "", "addresses": [],
                     "marketing_opt_in": True, "unreachable_channels": [], "created_at": start}
                    for i, (start, _) in enumerate(people)
                ]  # fmt: skip
                ids = (
                    (
                        await session.execute(
                            insert(orm.customers).returning(orm.customers.c.id, sort_by_parameter_order=True), rows
                        )
                    )
                    .scalars()
                    .all()
                )
                orders = [
                    {"customer_id": cid, "channel": "telegram", "currency": "USD", "status": OrderStatus.DELIVERED,
                     "shipping_method": "standard", "shipping_address": {}, "subtotal": amount, "discount": 0,
                     "shipping": 0, "tax_rate_bp": 0, "tax": 0, "total": amount, "captured": amount,
                     "refunded": amount // 2 if refunded else 0, "placed_at": at, "paid_at": at, "updated_at": at}
                    for cid, (_, buys) in zip(ids, people, strict=True)
                    for at, amount, refunded in buys
                ]  # fmt: skip
                for start in range(0, len(orders), 2000):
                    await session.execute(insert(orm.orders), orders[start : start + 2000])
            t0 = time.perf_counter()
            histories = await SqlScoreStore(shop.sessions).histories("USD")
            t1 = time.perf_counter()
            models = SklearnChurnModels()
            backtest = models.backtest(histories, NOW)
            t2 = time.perf_counter()
            scores = score_customers(histories, models, backtest.chosen, NOW, "USD")
            t3 = time.perf_counter()
        finally:
            await shop.close()
    result = backtest.as_json()
    result |= {
        "orders": len(orders),
        "scored": len(scores),
        "seconds": {"read": round(t1 - t0, 2), "backtest": round(t2 - t1, 2), "score": round(t3 - t2, 2)},
    }
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    out = asyncio.run(main(args.customers, args.seed))
    if args.json:
        print(json.dumps(out))
    else:
        for name, m in out["models"].items():  # type: ignore[attr-defined]
            print(f"{name:>18}: AUC {m['auc']:.3f}  Brier {m['brier']:.3f}")
        print(f"chosen {out['chosen']}, ratio {out['ratio']}, {out['customers']} customers judged, {out['seconds']}")
