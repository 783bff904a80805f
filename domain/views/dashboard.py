"""What the console's dashboard shows, as plain values (read from the rollups by ``adapters/rollup_views``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol


@dataclass(frozen=True)
class Totals:
    orders: int
    gross: int
    net: int
    new_customers: int
    returning_orders: int

    @property
    def average_order_value(self) -> int:
        return self.gross // self.orders if self.orders else 0


@dataclass(frozen=True)
class DayPoint:
    day: date
    orders: int
    gross: int


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


class DashboardViews(Protocol):
    currency: str

    def today(self) -> date: ...
    async def totals(self, start: date, end: date) -> Totals: ...
    async def trend(self, start: date, end: date) -> list[DayPoint]: ...
    async def hourly(self, day: date) -> list[tuple[int, int, int]]: ...
    async def top_products(self, start: date, end: date, by: str = "revenue", limit: int = 10) -> list[Ranked]: ...
    async def top_categories(self, start: date, end: date, limit: int = 10) -> list[Ranked]: ...
    async def sales_by(self, dimension: str, start: date, end: date) -> list[Ranked]: ...
    async def funnel(self, start: date, end: date) -> list[Ranked]: ...
    async def campaigns(self, start: date, end: date) -> list[tuple[Ranked, int]]: ...
    async def cohorts(self, since: date) -> list[CohortCell]: ...
