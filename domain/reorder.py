"""Reorder suggestions per SKU × warehouse from the stored demand forecast (issue 20). Pure functions.

Reorder point = forecast demand over the supplier's lead time + safety stock, where safety stock is z × σ over
the lead time for the service level (z from the normal quantile) and σ per day is read off the 80% interval's
width (half-width ÷ 1.2816; days taken as independent, so σ over n days is the root of the summed variances).
When the stock position (available + on order) is at or below the reorder point, the suggestion orders up to
the demand over lead time + review period plus its safety stock, rounded up to the supplier's pack size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

Z80 = NormalDist().inv_cdf(0.9)  # the 80% interval's half-width is 1.2816 σ
DEFAULT_LEAD_DAYS = 7  # for a SKU with no supplier: its figures are still shown, it is never ordered


@dataclass(frozen=True)
class DayDemand:
    mean: float
    lo80: float
    hi80: float

    @property
    def sigma(self) -> float:
        return max(0.0, self.hi80 - self.lo80) / (2 * Z80)


@dataclass(frozen=True)
class ReorderInput:
    variant_id: int
    sku: str
    name: str
    warehouse: str
    available: int
    on_order: int
    forecast: tuple[DayDemand, ...]  # this warehouse's share of the SKU's daily forecast, from tomorrow
    supplier_id: int | None = None
    supplier: str = ""
    lead_time_days: int | None = None
    pack_size: int = 1
    unit_cost: int = 0  # minor units of the supplier's currency
    currency: str = ""


@dataclass(frozen=True)
class Suggestion:
    input: ReorderInput
    mean_daily: float
    lead_demand: float
    safety_stock: float
    reorder_point: float
    order_up_to: float
    days_of_cover: float | None  # None: no demand forecast
    quantity: int  # 0: no order needed
    reasons: tuple[str, ...]

    @property
    def orderable(self) -> bool:
        return self.quantity > 0 and self.input.supplier_id is not None


def _window(forecast: Sequence[DayDemand], days: int) -> list[DayDemand]:
    """The first ``days`` of the forecast; past its end, its average day repeated."""
    if days <= len(forecast):
        return list(forecast[:days])
    n = len(forecast) or 1
    mean = sum(d.mean for d in forecast) / n
    var = sum(d.sigma**2 for d in forecast) / n
    half = math.sqrt(var) * Z80
    return list(forecast) + [DayDemand(mean, max(0.0, mean - half), mean + half)] * (days - len(forecast))


def _demand(days: Sequence[DayDemand], z: float) -> tuple[float, float]:
    mean = sum(d.mean for d in days)
    sigma = math.sqrt(sum(d.sigma**2 for d in days))
    return mean, z * sigma


def round_to_pack(quantity: float, pack: int) -> int:
    pack = max(1, pack)
    return math.ceil(quantity / pack - 1e-9) * pack


def suggest(item: ReorderInput, service_level: float = 0.95, review_days: int = 14) -> Suggestion:
    if not 0.5 < service_level < 1.0:
        raise ValueError("a service level is between 50% and 100%")
    z = NormalDist().inv_cdf(service_level)
    lead = item.lead_time_days if item.lead_time_days is not None else DEFAULT_LEAD_DAYS
    lead_demand, safety = _demand(_window(item.forecast, lead), z)
    up_to_demand, up_to_safety = _demand(_window(item.forecast, lead + review_days), z)
    reorder_point = lead_demand + safety
    order_up_to = up_to_demand + up_to_safety
    mean_daily = sum(d.mean for d in item.forecast) / len(item.forecast) if item.forecast else 0.0
    cover = item.available / mean_daily if mean_daily > 0 else None
    position = item.available + item.on_order
    reasons = [
        f"reorder point {reorder_point:.1f} = {lead_demand:.1f} forecast over {lead} days' lead time"
        f" + {safety:.1f} safety stock ({service_level:.0%} service level)"
    ]
    quantity = 0
    if mean_daily <= 0:
        reasons.append("no demand forecast")
    elif position <= reorder_point:
        quantity = round_to_pack(order_up_to - position, item.pack_size)
        on_order = f" + {item.on_order} on order" if item.on_order else ""
        reasons.append(f"{item.available} available{on_order} is at or below it")
        reasons.append(f"order up to {order_up_to:.1f} ({lead} + {review_days} review days)")
        if item.pack_size > 1:
            reasons.append(f"rounded up to packs of {item.pack_size}")
    else:
        reasons.append(f"{position} in stock and on order is above it")
    if item.supplier_id is None:
        reasons.append("no supplier: not ordered")
    return Suggestion(
        item, mean_daily, lead_demand, safety, reorder_point, order_up_to, cover, quantity, tuple(reasons)
    )
