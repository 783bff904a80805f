"""Report figures for a period: sales, top products, the funnel. Plain data, plus a chart spec for each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import ValidationFailed
from domain.model.money import Money, exponent
from domain.views.port import ShopViews

PERIODS = {"today": 1, "1d": 1, "7d": 7, "30d": 30, "90d": 90}
KINDS = ("sales", "top-products", "funnel")
USAGE = "Try `/report sales today|7d|30d`, `/report top-products 7d` or `/report funnel 7d`."


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    @classmethod
    def parse(cls, text: str, today: date) -> Period:
        key = text.strip().lower() or "7d"
        if key not in PERIODS:
            raise ValidationFailed(f"Unknown period {text!r}. {USAGE}")
        days = PERIODS[key]
        label = "today" if days == 1 else f"last {days} days"
        return cls(label, today - timedelta(days=days - 1), today)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


@dataclass(frozen=True)
class Chart:
    """What to draw; a channel renders it (a PNG for Slack)."""

    title: str
    kind: str  # "bar" or "barh"
    labels: tuple[str, ...]
    values: tuple[int, ...]
    value_label: str
    minor_units: int = 0  # when > 0, values are money in minor units with this many per major unit


@dataclass(frozen=True)
class Report:
    title: str
    lines: tuple[str, ...]
    chart: Chart | None

    @property
    def text(self) -> str:
        return "\n".join((f"*{self.title}*", *self.lines))


def _fmt(amount: int, currency: str) -> str:
    return Money(amount, currency).format()


async def sales(views: ShopViews, period: Period) -> Report:
    summary = await views.sales(period.start, period.end)
    cur = summary.currency
    by_day = {d.day: d for d in summary.days}
    days = period.days()
    lines = (
        f"Orders: {summary.orders}",
        f"Gross: {_fmt(summary.gross, cur)}",
        f"Net of refunds: {_fmt(summary.net, cur)}",
        f"Average order: {_fmt(summary.average_order_value, cur)}",
    )
    chart = Chart(
        f"Gross sales, {period.label} ({cur})",
        "bar",
        tuple(f"{d:%m-%d}" for d in days),
        tuple(by_day[d].gross if d in by_day else 0 for d in days),
        cur,
        minor_units=10 ** exponent(cur),
    )
    return Report(f"Sales, {period.label} ({period.start} to {period.end})", lines, chart)


async def top_products(views: ShopViews, period: Period, currency: str, limit: int = 10) -> Report:
    top = await views.top_products(period.start, period.end, limit=limit)
    lines = tuple(f"{i}. {p.name}: {p.units} units, {_fmt(p.revenue, currency)}" for i, p in enumerate(top, 1))
    chart = Chart(
        f"Units sold, {period.label}", "barh", tuple(p.name for p in top), tuple(p.units for p in top), "units"
    )
    return Report(f"Top products, {period.label}", lines or ("No sales in this period.",), chart if top else None)


async def funnel(views: ShopViews, period: Period) -> Report:
    steps = await views.funnel(period.start, period.end)
    first = steps[0].customers if steps else 0
    lines = tuple(
        f"{s.name.replace('_', ' ')}: {s.customers}" + (f" ({s.customers * 100 // first}%)" if first else "")
        for s in steps
    )
    chart = Chart(
        f"Funnel, {period.label}",
        "barh",
        tuple(s.name.replace("_", " ") for s in steps),
        tuple(s.customers for s in steps),
        "customers",
    )
    return Report(f"Funnel, {period.label}", lines, chart)


async def build(views: ShopViews, kind: str, period_text: str, today: date, currency: str) -> Report:
    period = Period.parse(period_text, today)
    if kind == "sales":
        return await sales(views, period)
    if kind == "top-products":
        return await top_products(views, period, currency)
    if kind == "funnel":
        return await funnel(views, period)
    raise ValidationFailed(f"Unknown report {kind!r}. {USAGE}")


def parse_command(text: str) -> tuple[str, str]:
    """``"sales 7d"`` → ("sales", "7d"); the period defaults to 7 days (today for sales)."""
    words = text.split()
    if not words:
        raise ValidationFailed(USAGE)
    kind = words[0].lower()
    default = "today" if kind == "sales" else "7d"
    return kind, words[1] if len(words) > 1 else default
