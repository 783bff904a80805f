"""What the console shows of the customer scores: plain values, read by ``domain/adapters/scores_store.py``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

AT_RISK_SORTS = ("value", "risk")  # "value": highest expected value first; "risk": highest churn risk first


@dataclass(frozen=True)
class ScoreRow:
    customer_id: int
    name: str
    email: str | None
    churn_risk: float
    expected_value_minor: int
    currency: str
    model: str
    scored_at: datetime


class ScoreViews(Protocol):
    async def score_of(self, customer_id: int) -> ScoreRow | None: ...

    async def at_risk(self, min_risk: float, min_value_minor: int, sort: str, limit: int) -> list[ScoreRow]:
        """Live customers with ``churn_risk > min_risk`` and ``expected_value >= min_value_minor``."""
        ...
