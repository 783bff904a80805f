"""`chatshop forecast run` and `chatshop forecast backtest --json` on a small history with a known pattern
(SQLite and PostgreSQL), and the nightly job that runs the forecast."""

from __future__ import annotations

import json
from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from chatshop.runtime import Runtime
from chatshop.server import add_forecasts
from domain import commands as c
from domain import commands_purchasing as p
from domain.adapters.orm_forecasting import demand_forecasts, forecast_runs, variant_sourcing
from domain.model.staff import Role
from tests.integration.forecasting.history import poisson, record_sales, variant_ids, weekly, yesterday
from tests.integration.test_cli_orders import chatshop
from tests.support.shopdata import SmallShop


async def test_forecast_run_stores_28_days_per_active_sku_and_a_second_run_replaces_the_first(
    small: SmallShop,
) -> None:
    shop = small.shop
    await record_sales(shop, "SHOE-RED-42", weekly(120, seed=1))
    await record_sales(shop, "MUG-WHT", poisson(120, rate=0.3, seed=2))

    result = await chatshop(shop, "forecast", "run")
    assert result.exit_code == 0, result.output
    assert "3 SKUs" in result.output and "per 1,000 SKUs" in result.output
    result = await chatshop(shop, "forecast", "run")
    assert result.exit_code == 0, result.output

    ids = await variant_ids(shop)
    async with shop.sessions() as session:
        rows = (await session.execute(select(demand_forecasts))).all()
        runs = (await session.execute(select(func.count()).select_from(forecast_runs))).scalar_one()
    assert runs == 2
    assert {r.run_id for r in rows} == {2}  # only the latest run's rows are kept
    by_sku = {sku: [r for r in rows if r.variant_id == vid] for sku, vid in ids.items()}
    assert all(len(days) == 28 for days in by_sku.values())
    assert min(r.day for r in rows) > yesterday()
    assert {r.method for r in by_sku["SHOE-RED-42"]} == {"AutoETS"}
    assert {r.method for r in by_sku["MUG-WHT"]} == {"IMAPA"}
    assert {r.method for r in by_sku["SHOE-BLU-42"]} == {"Zero"}
    shoes = sum(r.mean for r in by_sku["SHOE-RED-42"])
    assert abs(shoes - 4 * sum((12, 10, 10, 11, 14, 22, 25))) < 0.05 * 4 * 104
    assert all(0 <= r.lo95 <= r.lo80 <= r.mean <= r.hi80 <= r.hi95 for r in rows)


async def test_backtest_json_reports_mase_and_bias_per_method_and_the_chosen_beats_seasonal_naive(
    small: SmallShop,
) -> None:
    shop = small.shop
    await record_sales(shop, "SHOE-RED-42", weekly(150, seed=3))
    await record_sales(shop, "MUG-WHT", poisson(150, rate=0.4, seed=4))

    result = await chatshop(shop, "forecast", "backtest", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(figures) >= {"methods", "chosen", "baseline", "ratio", "skus"}
    assert set(figures["methods"]) == {"AutoETS", "CrostonSBA", "ADIDA", "IMAPA", "TSB", "SeasonalNaive"}
    assert all({"mase", "bias"} <= set(m) for m in figures["methods"].values())
    assert figures["skus"] == 2  # the SKU that never sold is not scored
    assert len(figures["origins"]) == 5
    assert abs(figures["ratio"] - figures["chosen"]["mase"] / figures["baseline"]["mase"]) < 0.01
    assert 0.3 < figures["baseline"]["mase"] < 3  # errors on the scale of a weekly naive forecast's in-sample errors
    assert figures["ratio"] < 1


async def test_the_nightly_job_runs_the_forecast_once_a_day_across_processes(small: SmallShop) -> None:
    shop = small.shop
    today = shop.clock.now().date()
    await record_sales(shop, "SHOE-RED-42", weekly(90, seed=5), end=today - timedelta(days=1))
    runtime = Runtime(shop)
    add_forecasts(runtime, shop, shop.settings)
    job = runtime.scheduler.get_job("demand-forecast")
    assert job is not None and isinstance(job.trigger, CronTrigger)
    assert {f.name: str(f) for f in job.trigger.fields}["hour"] == "2"
    await job.func()
    await job.func()  # the same night's slot again: already done
    async with shop.sessions() as session:
        runs = (await session.execute(select(forecast_runs))).all()
        first = (await session.execute(select(func.min(demand_forecasts.c.day)))).scalar_one()
    assert len(runs) == 1 and runs[0].skus == 3
    assert first == today


async def test_forecast_source_sets_a_skus_supplier_pack_and_cost_as_a_staff_member_the_domain_checks(
    small: SmallShop,
) -> None:
    shop = small.shop
    await shop.bus.handle(c.AddStaff("olga", Role.OPERATOR, actor=c.SYSTEM))
    await shop.bus.handle(c.AddStaff("vic", Role.VIEWER, actor=c.SYSTEM))
    supplier = await shop.bus.handle(p.CreateSupplier("Hearth", "USD", actor=c.SYSTEM))
    result = await chatshop(shop, "forecast", "source", "mug-wht", str(supplier), "--pack", "12", "--as", "vic")
    assert result.exit_code == 1 and "A viewer may not manage purchasing" in result.output
    args = ("forecast", "source", "mug-wht", str(supplier), "--pack", "12", "--cost", "2.50", "--as", "olga")
    result = await chatshop(shop, *args)
    assert result.exit_code == 0, result.output
    async with shop.sessions() as session:
        row = (await session.execute(select(variant_sourcing))).one()
    assert (row.variant_id, row.supplier_id, row.pack_size, row.unit_cost) == (
        (await variant_ids(shop))["MUG-WHT"],
        supplier,
        12,
        250,
    )
