"""Markdown suggestions for overstock and slow movers (issue 20): which SKUs, how deep, how many units it may
free, and why. Suggestions only: nothing here changes a price.

A SKU is suggested when both hold:
- **days of cover** = available ÷ average daily units is at least ``FAR_ABOVE`` × the target (setting, default 90
  days), or it sold nothing in the window while holding stock;
- **sell-through** over the window (units sold ÷ (units sold + available)) is below a threshold (setting, 30%).

Depth by how far above target: 10% from 2×, 20% from 3×, 30% from 4× (or no sales). Units freed over the target
period at a constant price elasticity ε (setting, default −2): demand × ((1 − depth)^ε − 1), at most what is
available. −2 because measured price elasticities of discretionary retail goods mostly fall between −1.5 and −3
(Bijmolt, van Heerde & Pieters 2005, mean about −2.6); the lower middle keeps the promise modest.

Daily demand comes through ``DemandSource``: trailing 28-day velocity today; a forecast can take its place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

WINDOW_DAYS = 28
FAR_ABOVE = 2.0  # "far above target": at least twice the target's days of cover
DEPTHS = ((4.0, 30), (3.0, 20), (2.0, 10))  # (times the target, percent off)


@dataclass(frozen=True)
class StockPosition:
    variant_id: int
    sku: str
    name: str
    available: int  # on hand − reserved − allocated, over all warehouses
    sold: int  # units in paid orders over the last WINDOW_DAYS
    price: int  # minor units
    currency: str


@dataclass(frozen=True)
class Reason:
    text: str  # an English message id with %(name)s placeholders, translated where shown
    values: Mapping[str, object]


@dataclass(frozen=True)
class MarkdownSuggestion:
    sku: str
    name: str
    available: int
    daily_units: float
    days_of_cover: float | None  # None: nothing sold, cover without end
    sell_through: float
    depth_percent: int
    units_freed: int  # over the target period, at the assumed elasticity
    price: int
    marked_down_price: int
    currency: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class MarkdownPolicy:
    target_days: int = 90
    max_sell_through: float = 0.3
    elasticity: float = -2.0


class DemandSource(Protocol):
    """Average daily units per variant id (trailing velocity, or a forecast once one exists)."""

    async def daily_units(self, positions: Sequence[StockPosition]) -> dict[int, float]: ...


class StockPositions(Protocol):
    async def positions(self) -> list[StockPosition]: ...


def trailing_velocity(positions: Sequence[StockPosition]) -> dict[int, float]:
    return {p.variant_id: p.sold / WINDOW_DAYS for p in positions}


def suggest(
    positions: Sequence[StockPosition], daily: Mapping[int, float], policy: MarkdownPolicy
) -> list[MarkdownSuggestion]:
    """The SKUs worth marking down, the most overstocked first."""
    found = []
    for p in positions:
        if p.available <= 0:
            continue
        rate = max(daily.get(p.variant_id, 0.0), 0.0)
        cover = p.available / rate if rate > 0 else None
        sell_through = p.sold / (p.sold + p.available)
        times = cover / policy.target_days if cover is not None else None
        if (times is not None and times < FAR_ABOVE) or sell_through >= policy.max_sell_through:
            continue
        depth = next(d for t, d in DEPTHS if times is None or times >= t)
        lift = (1 - depth / 100) ** policy.elasticity - 1
        freed = min(p.available, round(rate * lift * policy.target_days))
        reasons = [
            Reason(
                "No sales in the last %(days)s days with %(units)s available",
                {"days": WINDOW_DAYS, "units": p.available},
            )
            if cover is None
            else Reason(
                "%(cover)s days of cover against a target of %(target)s (%(times)s×)",
                {"cover": round(cover), "target": policy.target_days, "times": f"{times:.1f}"},
            ),
            Reason(
                "Sell-through %(rate)s%% in %(days)s days, below %(limit)s%%",
                {"rate": round(sell_through * 100), "days": WINDOW_DAYS, "limit": round(policy.max_sell_through * 100)},
            ),
            Reason(
                "%(depth)s%% off lifts demand %(lift)s× at elasticity %(elasticity)s",
                {"depth": depth, "lift": f"{lift + 1:.2f}", "elasticity": policy.elasticity},
            ),
        ]
        found.append(
            MarkdownSuggestion(
                p.sku,
                p.name,
                p.available,
                rate,
                cover,
                sell_through,
                depth,
                freed,
                p.price,
                p.price * (100 - depth) // 100,  # integer minor units, rounded down in the shopper's favour
                p.currency,
                tuple(reasons),
            )
        )
    return sorted(found, key=lambda s: (s.days_of_cover is not None, -(s.days_of_cover or 0), s.sku))


async def markdown_suggestions(
    stock: StockPositions, demand: DemandSource, policy: MarkdownPolicy
) -> list[MarkdownSuggestion]:
    positions = await stock.positions()
    return suggest(positions, await demand.daily_units(positions), policy)


@dataclass(frozen=True)
class MarkdownBoard:
    """What the console asks for: the shop's stock, its demand source and its policy, wired once."""

    stock: StockPositions
    demand: DemandSource
    policy: MarkdownPolicy

    async def suggestions(self) -> list[MarkdownSuggestion]:
        return await markdown_suggestions(self.stock, self.demand, self.policy)
