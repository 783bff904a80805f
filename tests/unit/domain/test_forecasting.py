"""Demand forecasts per SKU: the method a demand class picks, and that the statsforecast adapter recovers
known patterns (a weekly seasonal series; an intermittent Poisson series) within a tolerance."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np

from domain.adapters.forecasting_statsforecast import StatsForecastForecaster
from domain.forecasting import DailyHistory, DemandClass, Method, demand_class

START = date(2026, 1, 5)  # a Monday
WEEK = (12, 10, 10, 11, 14, 22, 25)  # units by weekday: the weekend sells twice as much


def seasonal(days: int, seed: int, variant_id: int = 1) -> DailyHistory:
    rng = np.random.default_rng(seed)
    units = tuple(int(max(0, round(WEEK[i % 7] + rng.normal(0, 1.5)))) for i in range(days))
    return DailyHistory(variant_id, START, units)


def poisson(days: int, rate: float, seed: int, variant_id: int = 2) -> DailyHistory:
    rng = np.random.default_rng(seed)
    return DailyHistory(variant_id, START, tuple(int(u) for u in rng.poisson(rate, days)))


def test_demand_class_follows_syntetos_boylan_cut_offs() -> None:
    assert demand_class([5, 6, 5, 7, 6, 5, 6]) == DemandClass.SMOOTH
    assert demand_class([1, 20, 2, 30, 1, 25, 3]) == DemandClass.ERRATIC
    assert demand_class([0, 0, 2, 0, 0, 0, 2, 0, 0, 3]) == DemandClass.INTERMITTENT
    assert demand_class([0, 0, 1, 0, 0, 0, 9, 0, 0, 1]) == DemandClass.LUMPY
    assert demand_class([0, 0, 0]) == DemandClass.NONE


def test_weekly_seasonal_series_is_forecast_with_its_weekly_shape_and_level() -> None:
    [forecast] = StatsForecastForecaster().forecast([seasonal(140, seed=3)])
    assert forecast.method == Method.AUTO_ETS
    assert len(forecast.days) == 28
    assert forecast.days[0].day == START + timedelta(days=140)
    expected = [WEEK[(140 + i) % 7] for i in range(28)]
    assert math.isclose(forecast.total, sum(expected), rel_tol=0.05)
    # The weekend is forecast above the weekdays, day by day within 2.5 units of the true pattern.
    assert all(abs(d.mean - e) < 2.5 for d, e in zip(forecast.days, expected, strict=True))
    assert all(d.lo95 <= d.lo80 <= d.mean <= d.hi80 <= d.hi95 for d in forecast.days)


def test_intermittent_poisson_series_gets_the_intermittent_method_imapa_and_its_rate() -> None:
    [forecast] = StatsForecastForecaster().forecast([poisson(180, rate=0.35, seed=7)])
    assert forecast.demand_class in (DemandClass.INTERMITTENT, DemandClass.LUMPY)
    assert forecast.method == Method.IMAPA  # Croston-style forecasts averaged over aggregation levels
    daily = forecast.total / 28
    assert abs(daily - 0.35) < 0.12
    assert all(d.lo95 >= 0 and d.hi95 >= d.mean for d in forecast.days)


def test_a_sku_that_never_sold_is_forecast_zero_without_a_model() -> None:
    [forecast] = StatsForecastForecaster().forecast([DailyHistory(9, START, (0,) * 60)])
    assert forecast.method == Method.ZERO and forecast.total == 0


def test_backtest_scores_every_method_and_the_chosen_one_beats_seasonal_naive_on_a_seasonal_series() -> None:
    histories = [seasonal(180, seed=s, variant_id=s) for s in range(1, 4)] + [
        poisson(180, rate=0.4, seed=s, variant_id=10 + s) for s in range(1, 4)
    ]
    result = StatsForecastForecaster().backtest(histories, horizon=28, origins=5)
    assert result.skus == 6
    assert len(result.origins) == 5
    assert all(b - a == timedelta(days=7) for a, b in zip(result.origins, result.origins[1:], strict=False))
    assert set(result.methods) == {"AutoETS", "CrostonSBA", "ADIDA", "IMAPA", "TSB", "SeasonalNaive"}
    assert result.chosen.windows == 30
    assert result.ratio < 1.0
    assert result.chosen.mase < result.baseline.mase
