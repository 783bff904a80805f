"""What the console's dashboard shows, as plain values (read from the rollups by ``adapters/rollup_views``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class Takings:
    """Paid orders in a window that may end at any moment (the same stretch of time one period earlier)."""

    orders: int
    gross: int
    net: int

    @property
    def average_order_value(self) -> int:
        return self.gross // self.orders if self.orders else 0


@dataclass(frozen=True)
class Totals(Takings):
    """Takings of whole days, with who bought."""

    new_customers: int
    returning_orders: int


@dataclass(frozen=True)
class DayPoint:
    day: date
    orders: int
    gross: int
    net: int = 0  # captured less refunded


@dataclass(frozen=True)
class Ranked:
    key: str
    label: str
    orders: int  # orders, lines or customers, whichever the ranking counts
    amount: int  # minor units


@dataclass(frozen=True)
class CohortCell:
    cohort: date
    month: date
    customers: int


class ReportRollups(Protocol):
    """The figures the dashboard, Slack's ``/report``, the daily report and ``chatshop report`` share, all from
    the rollups: one definition of revenue, orders, average order value, new and returning, the funnel."""

    currency: str

    async def totals(self, start: date, end: date) -> Totals:
        """Paid orders of the days ``start`` to ``end`` (inclusive, UTC days of payment)."""
        ...

    async def takings(self, start: datetime, end: datetime) -> Takings:
        """Paid orders with ``start <= paid_at < end``: whole days and hours from the rollups, a part of an hour
        at either end from the orders of that part only."""
        ...

    async def trend(self, start: date, end: date) -> list[DayPoint]: ...
    async def hourly(self, day: date) -> list[tuple[int, int, int]]: ...
    async def top_products(self, start: date, end: date, by: str = "revenue", limit: int = 10) -> list[Ranked]: ...
    async def sales_by(self, dimension: str, start: date, end: date) -> list[Ranked]: ...
    async def funnel(self, start: date, end: date) -> list[Ranked]:
        """Customers reaching each step, counted per day (distinct within a day) and summed over the days."""
        ...


class DashboardViews(ReportRollups, Protocol):
    def today(self) -> date: ...
    async def top_categories(self, start: date, end: date, limit: int = 10) -> list[Ranked]: ...
    async def campaigns(self, start: date, end: date) -> list[tuple[Ranked, int]]: ...
    async def cohorts(self, since: date) -> list[CohortCell]: ...


def percent_change(current: int, previous: int) -> int | None:
    """Whole percent from ``previous`` to ``current``, rounded half away from zero; None when previous is 0."""
    if previous == 0:
        return None
    diff = (current - previous) * 100
    rounded = (abs(diff) * 2 + abs(previous)) // (2 * abs(previous))
    return rounded if diff >= 0 else -rounded


def change_figure(current: int, previous: int) -> str:
    """ "+12%", "-3%", "0%"; "15x" from 1,000% up ("+14941%" reads as noise, a multiple does not); "—" with
    nothing before. The dashboard and the Slack reports say a change the same way."""
    pct = percent_change(current, previous)
    if pct is None:
        return "—"
    if pct >= 1000:
        return f"{current // previous:,}x"
    return f"{pct:+d}%" if pct else "0%"
