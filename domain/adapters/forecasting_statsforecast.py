"""The ``Forecaster`` port on Nixtla's statsforecast (the only module that imports it, or pandas, for forecasts).

Each method is fitted on many SKUs at once (statsforecast vectorises over ``unique_id``), in batches so a
progress bar moves. AutoETS and SeasonalNaive have intervals of their own; the Croston family has none, so
they get conformal intervals (errors of two rolling 28-day windows of the same method). A history shorter
than three horizons is padded with zero days in front: conformal intervals need that much, and a SKU the shop
did not sell yet did sell nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import ADIDA, IMAPA, TSB, AutoETS, CrostonSBA, SeasonalNaive
from statsforecast.utils import ConformalIntervals

from domain.forecasting import (
    BASELINE,
    HORIZON,
    LEVELS,
    MODELLED,
    Accuracy,
    Backtest,
    DailyHistory,
    DemandClass,
    ForecastDay,
    Method,
    Progress,
    SkuForecast,
    method_for,
)

BATCH = 250
SEASON = 7


def _model(method: Method, horizon: int | None) -> Any:
    """The statsforecast model for ``method``; with ``horizon``, the Croston family gets conformal intervals."""
    intervals = None if horizon is None else ConformalIntervals(h=horizon, n_windows=2)
    if method == Method.AUTO_ETS:
        return AutoETS(season_length=SEASON)
    if method == Method.SEASONAL_NAIVE:
        return SeasonalNaive(season_length=SEASON)
    if method == Method.CROSTON_SBA:
        return CrostonSBA(prediction_intervals=intervals)
    if method == Method.ADIDA:
        return ADIDA(prediction_intervals=intervals)
    if method == Method.IMAPA:
        return IMAPA(prediction_intervals=intervals)
    if method == Method.TSB:
        return TSB(alpha_d=0.1, alpha_p=0.1, prediction_intervals=intervals)
    raise ValueError(f"no statsforecast model for {method}")


def _padded(history: DailyHistory, horizon: int) -> DailyHistory:
    need = 3 * horizon + 1
    missing = need - len(history.units)
    if missing <= 0:
        return history
    return DailyHistory(history.variant_id, history.start - timedelta(days=missing), (0,) * missing + history.units)


def _frame(histories: Sequence[DailyHistory]) -> pd.DataFrame:
    ids, days, ys = [], [], []
    for h in histories:
        n = len(h.units)
        ids.append(np.full(n, h.variant_id, dtype=np.int64))
        days.append(pd.date_range(pd.Timestamp(h.start), periods=n, freq="D").values)
        ys.append(np.asarray(h.units, dtype=np.float64))
    return pd.DataFrame({"unique_id": np.concatenate(ids), "ds": np.concatenate(days), "y": np.concatenate(ys)})


def _clip(value: float) -> float:
    return max(0.0, float(value))


class StatsForecastForecaster:
    def __init__(self, batch: int = BATCH) -> None:
        self.batch = batch

    def forecast(
        self, histories: Sequence[DailyHistory], horizon: int = HORIZON, progress: Progress | None = None
    ) -> list[SkuForecast]:
        chosen: dict[Method, list[tuple[DailyHistory, DemandClass]]] = {}
        for history in histories:
            cls, method = method_for(history.units)
            chosen.setdefault(method, []).append((_padded(history, horizon), cls))
        out: dict[int, SkuForecast] = {}
        for method, group in chosen.items():
            for i in range(0, len(group), self.batch):
                part = group[i : i + self.batch]
                if method == Method.ZERO:
                    for history, cls in part:
                        out[history.variant_id] = _zero(history, cls, horizon)
                else:
                    out |= self._fit(method, part, horizon)
                if progress is not None:
                    progress(len(part))
        return [out[h.variant_id] for h in histories]

    def _fit(
        self, method: Method, part: list[tuple[DailyHistory, DemandClass]], horizon: int
    ) -> dict[int, SkuForecast]:
        sf = StatsForecast(models=[_model(method, horizon)], freq="D", n_jobs=1)
        frame = sf.forecast(df=_frame([h for h, _ in part]), h=horizon, level=list(LEVELS))
        col = str(method.value)
        classes = {h.variant_id: cls for h, cls in part}
        result: dict[int, SkuForecast] = {}
        for variant_id, rows in frame.groupby("unique_id", sort=False):
            days = tuple(
                ForecastDay(
                    pd.Timestamp(ds).date(),
                    _clip(mean),
                    _clip(lo80),
                    _clip(hi80),
                    _clip(lo95),
                    _clip(hi95),
                )
                for ds, mean, lo80, hi80, lo95, hi95 in zip(
                    rows["ds"],
                    rows[col],
                    rows[f"{col}-lo-80"],
                    rows[f"{col}-hi-80"],
                    rows[f"{col}-lo-95"],
                    rows[f"{col}-hi-95"],
                    strict=True,
                )
            )
            vid = int(str(variant_id))
            result[vid] = SkuForecast(vid, method, classes[vid], days)
        return result

    def backtest(self, histories: Sequence[DailyHistory], horizon: int = HORIZON, origins: int = 5) -> Backtest:
        padded = [_padded(h, horizon) for h in histories if any(h.units)]
        if not padded:
            empty = Accuracy(float("nan"), float("nan"), 0)
            return Backtest({m.value: empty for m in MODELLED}, empty, empty, 0, ())
        sf = StatsForecast(models=[_model(m, None) for m in MODELLED], freq="D", n_jobs=1)
        cv = sf.cross_validation(df=_frame(padded), h=horizon, step_size=SEASON, n_windows=origins)
        by_id = {h.variant_id: h for h in padded}
        errors: dict[str, list[float]] = {name: [] for name in [*(m.value for m in MODELLED), "chosen"]}
        sums: dict[str, list[float]] = {k: [0.0, 0.0] for k in errors}  # Σ forecast, Σ actual
        used: dict[str, int] = {}
        cutoffs: set[date] = set()
        for (variant_id, cutoff), rows in cv.groupby(["unique_id", "cutoff"], sort=False):
            history = by_id[int(str(variant_id))]
            cut = pd.Timestamp(cutoff).date()
            cutoffs.add(cut)
            train = history.units[: (cut - history.start).days + 1]
            if len(train) <= SEASON:
                continue
            past = np.asarray(train, dtype=np.float64)
            scale = float(np.mean(np.abs(past[SEASON:] - past[:-SEASON])))  # in-sample MAE of the lag-7 naive
            if scale == 0.0:  # a constant weekly pattern (or no sale): MASE is undefined there
                continue
            actual = rows["y"].to_numpy(dtype=np.float64)
            _, method = method_for(train)
            used[method.value] = used.get(method.value, 0) + 1
            for name in errors:
                column = method.value if name == "chosen" else name
                if column == Method.ZERO.value:
                    predicted = np.zeros_like(actual)
                else:
                    predicted = np.clip(rows[column].to_numpy(dtype=np.float64), 0.0, None)
                errors[name].append(float(np.mean(np.abs(predicted - actual))) / scale)
                sums[name][0] += float(predicted.sum())
                sums[name][1] += float(actual.sum())

        def accuracy(name: str) -> Accuracy:
            values, (forecast, actual) = errors[name], sums[name]
            mase = float(np.mean(values)) if values else float("nan")
            bias = (forecast - actual) / actual if actual else float("nan")
            return Accuracy(mase, bias, len(values))

        methods = {m.value: accuracy(m.value) for m in MODELLED}
        return Backtest(methods, accuracy("chosen"), methods[BASELINE.value], len(padded), tuple(sorted(cutoffs)), used)


def _zero(history: DailyHistory, cls: DemandClass, horizon: int) -> SkuForecast:
    first = history.start + timedelta(days=len(history.units))
    days = tuple(ForecastDay(first + timedelta(days=i), 0.0, 0.0, 0.0, 0.0, 0.0) for i in range(horizon))
    return SkuForecast(history.variant_id, Method.ZERO, cls, days)
