"""Read models for stock as staff watch it (what runs low), beside ``models.py``."""

from __future__ import annotations

from dataclasses import dataclass

from domain.views.models import StockView


@dataclass(frozen=True)
class LowStock:
    """Variants whose available stock is below their threshold, most urgent first, each with its
    per-warehouse rows; ``total`` counts all of them, ``items`` holds at most the limit asked for."""

    total: int
    items: tuple[StockView, ...]
