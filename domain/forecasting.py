"""Demand forecasting per SKU (issue 20): what the domain asks of a forecaster, and how it picks a method.

History goes in as whole units per day; forecasts come out as floats (expected units, not money) with 80% and
95% intervals, never below zero. The method per SKU is chosen by its demand class (Syntetos–Boylan: the average
demand interval ADI and the squared coefficient of variation CV² of the non-zero demands) rather than by a
per-SKU backtest: with a few units a week, a backtest over a handful of weekly origins picks whichever method
was lucky, and the class is cheap, stable and explainable ("sells on 1 day in 4 → IMAPA"). The backtest
(``chatshop forecast backtest``) then checks that this choice beats the seasonal-naive baseline overall.

The statsforecast implementation is ``domain/adapters/forecasting_statsforecast.py``; the domain sees only
the ``Forecaster`` protocol and these dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Protocol

HORIZON = 28
LEVELS = (80, 95)
ADI_CUT = 1.32  # Syntetos, Boylan & Croston (2005)
CV2_CUT = 0.49


class DemandClass(StrEnum):
    SMOOTH = "smooth"  # regular demand, regular sizes
    ERRATIC = "erratic"  # regular demand, sizes vary a lot
    INTERMITTENT = "intermittent"  # sells on few days, similar sizes
    LUMPY = "lumpy"  # sells on few days, sizes vary a lot
    NONE = "none"  # no sale in the history


class Method(StrEnum):
    AUTO_ETS = "AutoETS"
    CROSTON_SBA = "CrostonSBA"
    ADIDA = "ADIDA"
    IMAPA = "IMAPA"
    TSB = "TSB"
    SEASONAL_NAIVE = "SeasonalNaive"
    ZERO = "Zero"  # nothing sold: the forecast is zero, no model is fitted


BASELINE = Method.SEASONAL_NAIVE
MODELLED = (Method.AUTO_ETS, Method.CROSTON_SBA, Method.ADIDA, Method.IMAPA, Method.TSB, Method.SEASONAL_NAIVE)

# Smooth and erratic demand has a weekly shape worth modelling (AutoETS with a 7-day season). Intermittent and
# lumpy demand gets IMAPA (the average of Croston-style forecasts over several aggregation levels): on the demo's
# history it beat Croston SBA, ADIDA and TSB in `chatshop forecast backtest` (MASE 0.93 against 1.87, 1.04 and
# 1.06; SBA over-forecast by 76%), so the class's method was chosen by backtest over all its SKUs at once.
METHOD_FOR_CLASS: dict[DemandClass, Method] = {
    DemandClass.SMOOTH: Method.AUTO_ETS,
    DemandClass.ERRATIC: Method.AUTO_ETS,
    DemandClass.INTERMITTENT: Method.IMAPA,
    DemandClass.LUMPY: Method.IMAPA,
    DemandClass.NONE: Method.ZERO,
}


@dataclass(frozen=True)
class DailyHistory:
    """Units sold of one variant on each day from ``start`` (one value per day, zeros included)."""

    variant_id: int
    start: date
    units: tuple[int, ...]


@dataclass(frozen=True)
class ForecastDay:
    day: date
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


@dataclass(frozen=True)
class SkuForecast:
    variant_id: int
    method: Method
    demand_class: DemandClass
    days: tuple[ForecastDay, ...]

    @property
    def total(self) -> float:
        return sum(d.mean for d in self.days)


@dataclass(frozen=True)
class Accuracy:
    """MASE (mean absolute error over the horizon ÷ the in-sample MAE of a 7-day seasonal naive forecast,
    averaged over SKU × origin) and bias ((Σ forecast − Σ actual) ÷ Σ actual; > 0 means over-forecasting)."""

    mase: float
    bias: float
    windows: int  # SKU × origin pairs that had a non-zero scale


@dataclass(frozen=True)
class Backtest:
    methods: dict[str, Accuracy]
    chosen: Accuracy
    baseline: Accuracy
    skus: int
    origins: tuple[date, ...]
    chosen_methods: dict[str, int] = field(default_factory=dict)  # how many SKU × origin used each method

    @property
    def ratio(self) -> float:
        return self.chosen.mase / self.baseline.mase if self.baseline.mase else float("nan")


Progress = Callable[[int], None]  # called with the number of SKUs just finished


class Forecaster(Protocol):
    def forecast(
        self, histories: Sequence[DailyHistory], horizon: int = HORIZON, progress: Progress | None = None
    ) -> list[SkuForecast]:
        """One forecast per history, each with the method its demand class picks."""
        ...

    def backtest(self, histories: Sequence[DailyHistory], horizon: int = HORIZON, origins: int = 5) -> Backtest:
        """Rolling origin: ``origins`` weekly cut-offs, the last ``horizon`` days before the end of the history,
        every method and the class-chosen one scored against the seasonal-naive baseline."""
        ...


def demand_class(units: Sequence[int]) -> DemandClass:
    """Syntetos–Boylan class of a daily series: ADI = days per day with a sale, CV² of the non-zero sizes."""
    sales = [u for u in units if u > 0]
    if not sales:
        return DemandClass.NONE
    adi = len(units) / len(sales)
    mean = sum(sales) / len(sales)
    cv2 = (sum((s - mean) ** 2 for s in sales) / len(sales)) / (mean * mean)
    if adi < ADI_CUT:
        return DemandClass.SMOOTH if cv2 < CV2_CUT else DemandClass.ERRATIC
    return DemandClass.INTERMITTENT if cv2 < CV2_CUT else DemandClass.LUMPY


def method_for(units: Sequence[int]) -> tuple[DemandClass, Method]:
    cls = demand_class(units)
    return cls, METHOD_FOR_CLASS[cls]
