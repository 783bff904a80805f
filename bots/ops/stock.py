"""Stock as staff see it: per warehouse with what is reserved and allocated, and what runs low."""

from __future__ import annotations

from dataclasses import dataclass

from domain.views.models import StockView
from domain.views.port import StockViews


@dataclass(frozen=True)
class WarehouseLine:
    code: str
    name: str
    on_hand: int
    reserved: int
    allocated: int
    available: int


@dataclass(frozen=True)
class StockSummary:
    sku: str
    product: str
    options: str
    available: int
    threshold: int
    warehouses: tuple[WarehouseLine, ...]

    @property
    def low(self) -> bool:
        return self.available < self.threshold

    @property
    def title(self) -> str:
        return f"{self.product} {self.options} ({self.sku})".replace("  ", " ")


def summarise(view: StockView) -> StockSummary:
    options = ", ".join(f"{k} {v}" for k, v in sorted(view.options.items()))
    rows = tuple(
        WarehouseLine(r.warehouse_code, r.warehouse_name, r.on_hand, r.reserved, r.allocated, r.available)
        for r in view.rows
    )
    return StockSummary(view.sku, view.product_name, options, view.available, view.low_stock_threshold, rows)


async def find(views: StockViews, text: str, limit: int = 5) -> list[StockSummary]:
    """An exact SKU first, else products whose name matches."""
    text = text.strip()
    if not text:
        return []
    return [summarise(v) for v in await views.find_stock(text, limit=limit)]


async def low_stock(views: StockViews, limit: int = 10) -> tuple[int, list[StockSummary]]:
    """How many variants are below their threshold, and the ``limit`` most urgent (emptiest first)."""
    found = await views.low_stock(limit)
    return found.total, [summarise(v) for v in found.items]


def low_stock_alert(sku: str, available: int, threshold: int) -> str:
    return f"Low stock: {sku} has {available} available (threshold {threshold})."
