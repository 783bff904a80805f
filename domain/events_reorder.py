"""Events of reorder suggestions (issue 20); registered with the others by subclassing ``Event``."""

from __future__ import annotations

from dataclasses import dataclass

from domain.events import Event


@dataclass(frozen=True)
class ReorderSuggestionsReady(Event):
    """The week's reorder suggestions, as they stood when published (the Slack post renders this snapshot).
    ``lines``: (SKU, product name, warehouse, units to order, days of cover or "", supplier or "") each."""

    lines: tuple[tuple[str, str, str, int, str, str], ...]
    covered: int  # SKU × warehouse with enough stock
    actor: str
