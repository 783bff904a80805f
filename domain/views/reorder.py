"""What the console, Slack and the dashboard read about forecasts and reordering (issue 20)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from domain.reorder import Suggestion


@dataclass(frozen=True)
class ForecastPoint:
    """The stored forecast summed over every SKU for one day, in units."""

    day: date
    mean: float
    lo80: float
    hi80: float


@dataclass(frozen=True)
class RevenueForecastPoint:
    """The stored forecast's units priced at today's variant prices, summed per day: integer minor units (an
    estimate of revenue, not money anyone holds), with the 80% band."""

    day: date
    mean: int
    lo80: int
    hi80: int


class ReorderViews(Protocol):
    async def suggestions(self) -> list[Suggestion]:
        """Every active SKU × warehouse with a forecast, SKU order; ``quantity`` > 0 where one should order."""
        ...

    async def forecast_by_day(self) -> list[ForecastPoint]:
        """The latest run's forecast summed over SKUs per day (empty before the first run)."""
        ...

    async def forecast_revenue_by_day(self, currency: str) -> list[RevenueForecastPoint]:
        """The forecast in revenue of variants priced in ``currency`` (the dashboard's sales trend)."""
        ...
