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


class ReorderViews(Protocol):
    async def suggestions(self) -> list[Suggestion]:
        """Every active SKU × warehouse with a forecast, SKU order; ``quantity`` > 0 where one should order."""
        ...

    async def forecast_by_day(self) -> list[ForecastPoint]:
        """The latest run's forecast summed over SKUs per day (empty before the first run)."""
        ...
