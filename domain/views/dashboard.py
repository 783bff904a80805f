"""What the console's dashboard shows, as plain values (read from the rollups by ``adapters/rollup_views``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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
