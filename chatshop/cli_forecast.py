"""``chatshop forecast run`` / ``backtest``: daily demand forecasts per SKU for the next 28 days, and how well
the chosen methods would have done over the last 8 weeks against a seasonal-naive baseline."""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from chatshop.bootstrap import Shop
from chatshop.cli_actor import ActorOption, resolve_actor
from domain.adapters.forecast_store import SqlForecastStore
from domain.adapters.purchasing_views import SqlPurchasingViews
from domain.adapters.reorder_views import SqlReorderViews
from domain.commands import SYSTEM
from domain.commands_reorder import PublishReorderSuggestions, SetVariantSourcing
from domain.errors import NotFound
from domain.forecast_runs import HISTORY_DAYS, ForecastRun, run_backtest, run_forecast
from domain.forecasting import Accuracy, Backtest
from domain.model.money import Money

console = Console()
forecast_app = typer.Typer(help="Demand forecasts per SKU: run them, backtest them.", no_args_is_help=True)


async def forecast_all(shop: Shop, progress: Progress | None = None) -> ForecastRun:
    """The nightly job and ``forecast run``: every active SKU, the previous run replaced in one transaction."""
    from domain.adapters.forecasting_statsforecast import (
        StatsForecastForecaster,  # lazily: statsforecast takes seconds to import
    )

    store, forecaster = SqlForecastStore(shop.sessions), StatsForecastForecaster()
    if progress is None:
        return await run_forecast(store, forecaster, shop.clock.now())
    task = progress.add_task("Forecasting SKUs", total=None)
    return await run_forecast(
        store,
        forecaster,
        shop.clock.now(),
        progress=lambda n: progress.update(task, advance=n),
        on_total=lambda total: progress.update(task, total=total),
    )


async def publish_suggestions(shop: Shop) -> int:
    """The weekly job: publish the current reorder suggestions (the Slack notifier posts them); returns how many
    SKU × warehouse need ordering."""
    views = SqlReorderViews(shop.sessions, shop.settings.reorder_service_level, shop.settings.reorder_review_days)
    found = await views.suggestions()
    wanted = [s for s in found if s.quantity > 0]
    lines = tuple(
        (
            s.input.sku,
            s.input.name,
            s.input.warehouse,
            s.quantity,
            f"{s.days_of_cover:.1f}" if s.days_of_cover is not None else "",
            s.input.supplier,
        )
        for s in wanted
    )
    await shop.bus.handle(PublishReorderSuggestions(lines, len(found) - len(wanted), actor=SYSTEM))
    return len(wanted)


def weekly_suggestions_job(shop: Shop) -> Callable[[], Awaitable[object]]:
    """Run daily by the scheduler (once across processes); acts on the configured weekday only."""

    async def job() -> None:
        if shop.clock.now().weekday() == shop.settings.reorder_post_weekday:
            await publish_suggestions(shop)

    return job


@forecast_app.command("source")
def source_command(
    sku: str,
    supplier_id: int,
    pack: Annotated[int, typer.Option(help="Units per pack; suggestions round up to it.")] = 1,
    cost: Annotated[str, typer.Option(help="Unit cost in the supplier's currency, e.g. 2.50.")] = "0",
    by: ActorOption = None,
) -> None:
    """Where a SKU is bought: its supplier (lead time, currency), pack size and unit cost — what turns its reorder
    suggestion into a purchase order line."""
    from chatshop.cli import run

    async def go(shop: Shop) -> None:
        actor = await resolve_actor(shop, by)
        found = [s for s in await SqlPurchasingViews(shop.sessions).suppliers() if s.id == supplier_id]
        if not found:
            raise NotFound(f"There is no supplier {supplier_id}; see chatshop po suppliers.")
        try:
            unit_cost = Money.parse(cost, found[0].currency).amount
        except ValueError:
            raise typer.BadParameter(f"{cost!r} is not an amount like 2.50 in {found[0].currency}") from None
        await shop.bus.handle(SetVariantSourcing(sku, supplier_id, pack, unit_cost, actor=actor))

    run(go)
    typer.echo(f"{sku.strip().upper()} is bought from supplier {supplier_id} in packs of {pack}.")


@forecast_app.command("run")
def run_command() -> None:
    """Forecast every active SKU 28 days ahead (with 80/95% intervals) and replace the stored forecast."""
    from chatshop.cli import run

    async def go(shop: Shop) -> ForecastRun:
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            return await forecast_all(shop, progress)

    result = run(go)
    typer.echo(
        f"Forecast run {result.id}: {result.skus:,} SKUs from {result.first_day} for 28 days in "
        f"{result.seconds:.1f} s ({result.seconds_per_1000:.1f} s per 1,000 SKUs)."
    )


def _accuracy(a: Accuracy) -> dict[str, float | int | None]:
    def clean(x: float) -> float | None:
        return None if math.isnan(x) else round(x, 4)

    return {"mase": clean(a.mase), "bias": clean(a.bias), "windows": a.windows}


def backtest_json(result: Backtest) -> dict[str, object]:
    return {
        "methods": {name: _accuracy(a) for name, a in result.methods.items()},
        "chosen": _accuracy(result.chosen) | {"methods_used": result.chosen_methods},
        "baseline": _accuracy(result.baseline) | {"method": "SeasonalNaive(7)"},
        "ratio": None if math.isnan(result.ratio) else round(result.ratio, 4),
        "skus": result.skus,
        "origins": [d.isoformat() for d in result.origins],
        "horizon": 28,
    }


@forecast_app.command("backtest")
def backtest_command(
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    history_days: int = typer.Option(HISTORY_DAYS, help="Days of history before the last 8 weeks' cut-offs."),
) -> None:
    """Rolling origin over the last 8 weeks (5 weekly cut-offs, 28 days ahead): MASE and bias per method and for
    the method each SKU's demand class picks, against SeasonalNaive(7). Exits 1 if the chosen one does not beat it."""
    from chatshop.cli import run

    async def go(shop: Shop) -> Backtest:
        from domain.adapters.forecasting_statsforecast import StatsForecastForecaster  # lazily: seconds to import

        with console.status("Backtesting…") if not as_json else nullcontext():
            return await run_backtest(
                SqlForecastStore(shop.sessions), StatsForecastForecaster(), shop.clock.now(), history_days
            )

    result = run(go)
    figures = backtest_json(result)
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
    else:
        table = Table("method", "MASE", "bias", "windows")
        rows = [*result.methods.items(), ("chosen per SKU", result.chosen)]
        for name, a in rows:
            table.add_row(name, f"{a.mase:.3f}", f"{a.bias:+.1%}", str(a.windows))
        console.print(table)
        console.print(f"{result.skus:,} SKUs; chosen ÷ baseline MASE = {result.ratio:.3f}")
    if not result.ratio < 1.0:
        raise typer.Exit(1)
