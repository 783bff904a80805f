"""Running the demand forecast: read every active SKU's daily sales, forecast them, store the run in one go.

The history ends yesterday (today is not over) and reaches back ``history_days`` or to the shop's first sale,
whichever is later, so a young shop's SKUs are not padded with a year of days it did not exist. Fitting is
CPU work, so it runs in a worker thread and a running shop's event loop keeps serving meanwhile.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from domain.forecasting import HORIZON, Backtest, DailyHistory, Forecaster, Progress, SkuForecast

HISTORY_DAYS = 365


@dataclass(frozen=True)
class ForecastRun:
    started_at: datetime
    finished_at: datetime
    first_day: date
    skus: int
    seconds: float
    id: int | None = None

    @property
    def seconds_per_1000(self) -> float:
        return self.seconds * 1000 / self.skus if self.skus else 0.0


class ForecastStore(Protocol):
    async def histories(self, until: date, days: int) -> list[DailyHistory]:
        """Units sold per day of every active variant, zero-filled, up to and including ``until``."""
        ...

    async def replace(self, run: ForecastRun, forecasts: Sequence[SkuForecast]) -> int:
        """Store ``run`` and its forecasts in place of the previous run's, in one transaction; returns its id."""
        ...


async def run_forecast(
    store: ForecastStore,
    forecaster: Forecaster,
    now: datetime,
    history_days: int = HISTORY_DAYS,
    progress: Progress | None = None,
    on_total: Progress | None = None,
) -> ForecastRun:
    until = now.date() - timedelta(days=1)
    histories = await store.histories(until, history_days)
    if on_total is not None:
        on_total(len(histories))
    began = time.perf_counter()
    forecasts = await asyncio.to_thread(forecaster.forecast, histories, HORIZON, progress)
    seconds = time.perf_counter() - began
    run = ForecastRun(now, now + timedelta(seconds=seconds), until + timedelta(days=1), len(histories), seconds)
    run_id = await store.replace(run, forecasts)
    return ForecastRun(run.started_at, run.finished_at, run.first_day, run.skus, run.seconds, run_id)


async def run_backtest(
    store: ForecastStore, forecaster: Forecaster, now: datetime, history_days: int = HISTORY_DAYS, origins: int = 5
) -> Backtest:
    """Rolling origin over the last 8 weeks: 5 weekly cut-offs whose 28-day windows end by yesterday."""
    histories = await store.histories(now.date() - timedelta(days=1), history_days)
    return await asyncio.to_thread(forecaster.backtest, histories, HORIZON, origins)
