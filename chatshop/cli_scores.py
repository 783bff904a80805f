"""``chatshop scores run`` / ``backtest``: churn risk and expected value per customer (issue 20).

``run`` backtests the models on the last 90 days, scores every customer who has bought with the better one
(or ``--model``) and replaces the ``customer_scores`` table in one transaction; the running shop does the same
nightly (``add_score_job``). ``backtest --json`` prints the comparison only and writes nothing."""

from __future__ import annotations

import json
import time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters.scores_store import SqlScoreStore
from domain.scoring import Backtest, run_scores

console = Console()
scores_app = typer.Typer(help="Customer scores: churn risk and expected value.", no_args_is_help=True)


async def score_now(shop: Shop, model: str | None = None) -> tuple[Backtest | None, int]:
    from domain.adapters.churn_models import SklearnChurnModels  # lazily: scikit-learn takes seconds to import

    backtest, scores = await run_scores(
        SqlScoreStore(shop.sessions), SklearnChurnModels(), shop.clock.now(), shop.settings.currency, c.SYSTEM, model
    )
    return backtest, len(scores)


def _print(backtest: Backtest) -> None:
    table = Table("model", "AUC", "Brier", title=f"Held-out 90 days, {backtest.customers:,} customers")
    for m in backtest.models.values():
        mark = " (chosen)" if m.name == backtest.chosen else " (baseline)" if m.name == backtest.baseline else ""
        table.add_row(m.name + mark, f"{m.auc:.3f}", f"{m.brier:.3f}")
    console.print(table)


@scores_app.command("run")
def run_command(
    model: Annotated[str | None, typer.Option(help="Score with this model instead of the backtest's choice.")] = None,
) -> None:
    """Score every customer who has bought and replace the scores table in one transaction."""
    from chatshop.cli import run

    started = time.perf_counter()
    backtest, n = run(lambda shop: score_now(shop, model))
    if backtest is not None:
        _print(backtest)
    chosen = model or (backtest.chosen if backtest else "-")
    console.print(f"scored {n:,} customers with {chosen} in {time.perf_counter() - started:.1f} s")


@scores_app.command("backtest")
def backtest_command(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Fit on history up to 90 days ago, judge on who bought since: AUC, Brier and reliability per model."""
    from chatshop.cli import run

    async def go(shop: Shop) -> Backtest:
        histories = await SqlScoreStore(shop.sessions).histories(shop.settings.currency)
        from domain.adapters.churn_models import SklearnChurnModels  # lazily: seconds to import

        return SklearnChurnModels().backtest(histories, shop.clock.now())

    report = run(go)
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        _print(report)
