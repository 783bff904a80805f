"""Server-rendered SVG charts: bars with their value in a ``<title>`` (the browser shows it on hover).

No script and nothing from a CDN (the console's CSP allows neither); Jinja escapes every label."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


def bars(values: list[tuple[str, int, str]], width: int = 720, height: int = 160) -> list[Bar]:
    """(label, value, hover text) per bar → rectangles scaled to the tallest bar."""
    if not values:
        return []
    top = max(v for _, v, _ in values) or 1
    step = width / len(values)
    out = []
    for i, (label, value, hover) in enumerate(values):
        h = max(value, 0) / top * (height - 4)
        out.append(
            Bar(
                round(i * step + 1, 2),
                round(height - h, 2),
                round(max(step - 2, 1), 2),
                round(h, 2),
                f"{label}: {hover}",
            )
        )
    return out
