"""The sales trend with the demand forecast drawn on: past days as bars, the next 28 days as a dashed line of
expected revenue inside its 80% band, all on one scale. Server-rendered SVG like ``charts``: no script."""

from __future__ import annotations

from dataclasses import dataclass

from admin_api.console.charts import Bar


@dataclass(frozen=True)
class ForecastDraw:
    bars: list[Bar]
    line: str  # SVG polyline points of the expected revenue
    band: str  # SVG polygon points of the 80% band
    divider: float  # x where the forecast begins
    points: list[tuple[float, float, str]]  # (x, y, hover text) per forecast day


def trend_with_forecast(
    history: list[tuple[str, int, str]],
    forecast: list[tuple[str, int, int, int, str]],
    width: int = 720,
    height: int = 160,
) -> ForecastDraw:
    """``history``: (label, value, hover) per past day; ``forecast``: (label, mean, lo80, hi80, hover) per day
    ahead. Values in one unit (minor units of revenue); the scale fits the taller of bars and band."""
    slots = len(history) + len(forecast) or 1
    step = width / slots
    top = max([v for _, v, _ in history] + [hi for _, _, _, hi, _ in forecast] + [1])
    usable = height - 4

    def y(value: float) -> float:
        return round(height - max(value, 0) / top * usable, 2)

    bars = [
        Bar(round(i * step + 1, 2), y(v), round(max(step - 2, 1), 2), round(max(v, 0) / top * usable, 2), f"{lab}: {h}")
        for i, (lab, v, h) in enumerate(history)
    ]
    base = len(history)
    xs = [round((base + i) * step + step / 2, 2) for i in range(len(forecast))]
    line = " ".join(f"{x},{y(mean)}" for x, (_, mean, _, _, _) in zip(xs, forecast, strict=True))
    upper = [f"{x},{y(hi)}" for x, (_, _, _, hi, _) in zip(xs, forecast, strict=True)]
    lower = [f"{x},{y(lo)}" for x, (_, _, lo, _, _) in zip(xs, forecast, strict=True)]
    band = " ".join(upper + lower[::-1])
    points = [(x, y(mean), f"{lab}: {hover}") for x, (lab, mean, _, _, hover) in zip(xs, forecast, strict=True)]
    return ForecastDraw(bars, line, band, round(base * step, 2), points)
