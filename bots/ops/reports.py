"""Report figures for a period (sales, top products, the funnel) and what to draw for each.

Plain data, channel-neutral. Every figure comes from the analytics rollups through ``ReportRollups``, the port
the /admin dashboard reads, with its definitions, so a period shows the same totals in Slack as on /admin.

Money stays integer minor units and is worded with ``Money``; a chart spec carries minor units too, and only
the renderer turns them into plotting coordinates. Sales, orders and average order value are compared with the
same stretch of time one period earlier, cut at the same moment (today until 14:05 is compared with yesterday
until 14:05, not with all of yesterday); rates (returning orders, conversion) with the whole previous period,
as the dashboard compares them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from domain.errors import ValidationFailed
from domain.model.money import Money, exponent
from domain.views.dashboard import Ranked, ReportRollups, Takings, Totals, percent_change
from domain.views.models import FunnelStep, HourSales, TopProduct

PERIODS = {"today": 1, "1d": 1, "7d": 7, "30d": 30, "90d": 90}
KINDS = ("sales", "top-products", "funnel")
USAGE = "Try `/report sales today|7d|30d|90d`, `/report top-products 7d` or `/report funnel 7d`."
WEEKLY_AFTER = 31  # longer periods are drawn in calendar weeks: 90 daily bars can't carry their values
CHANNEL_NAMES = {"telegram": "Telegram", "webchat": "Web chat", "slack": "Slack", "email": "E-mail", "cli": "CLI"}
FUNNEL_NAMES = {
    "message_received": "Wrote to the shop",
    "product_viewed": "Viewed a product",
    "added_to_cart": "Added to cart",
    "checkout_started": "Started checkout",
    "order_placed": "Placed an order",
    "order_paid": "Paid",
}

# --- periods ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date  # inclusive

    @classmethod
    def parse(cls, text: str, today: date) -> Period:
        key = text.strip().lower() or "7d"
        if key not in PERIODS:
            raise ValidationFailed(f"Unknown period {text[:40]!r}. {USAGE}")
        days = PERIODS[key]
        label = "today" if days == 1 else f"last {days} days"
        return cls(label, today - timedelta(days=days - 1), today)

    @property
    def length(self) -> int:
        return (self.end - self.start).days + 1

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.length)]

    def previous(self) -> Period:
        """The same number of days just before."""
        shift = timedelta(days=self.length)
        label = "yesterday" if self.length == 1 else f"the previous {self.length} days"
        return Period(label, self.start - shift, self.end - shift)

    def window(self) -> tuple[datetime, datetime]:
        """From the first day's midnight (UTC) to the last day's end: nothing is paid after now, so a period
        that is still running holds what was paid so far."""
        return _midnight(self.start), _midnight(self.end + timedelta(days=1))

    def previous_window(self, now: datetime) -> tuple[datetime, datetime]:
        """``window`` one period earlier, cut at the same moment: the same stretch of time as this one so far."""
        lo, hi = self.window()
        shift = timedelta(days=self.length)
        return lo - shift, min(now, hi) - shift


# --- numbers as words (integers only: no float near money or counts) -----------------------------------


def money(amount: int, currency: str) -> str:
    return Money(amount, currency).format()


def whole_units(amount: int, currency: str) -> int:
    """Minor units rounded half up to whole major units, for labels on bars ("1,235")."""
    per = 10 ** exponent(currency)
    return (amount * 2 + per) // (2 * per) if amount >= 0 else -whole_units(-amount, currency)


def change(current: int, previous: int, against: str) -> str:
    """ "+12% vs the previous 7 days", "up from nothing (yesterday)", "" when there is nothing on either side."""
    pct = percent_change(current, previous)
    if pct is None:
        return f"up from nothing ({against})" if current else ""
    if pct >= 1000:  # "+69824%" reads as noise; a multiple doesn't
        return f"{current // previous:,}x {against}"
    return f"{pct:+d}% vs {against}" if pct else f"same as {against}"


def rate(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with one decimal ("23.4%"), rounded half up; "–" for 0 of 0."""
    if whole <= 0:
        return "–"
    tenths = (part * 2000 + whole) // (2 * whole)
    return f"{tenths // 10}.{tenths % 10}%"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


# --- what to draw ------------------------------------------------------------------------------------------

DONE, PARTIAL, FUTURE = "done", "partial", "future"


@dataclass(frozen=True)
class Bucket:
    """One bar of a sales-over-time chart."""

    label: str
    revenue: int  # minor units
    orders: int
    previous: int  # revenue of the same stretch one period earlier (the ghost bar)
    state: str = DONE  # done | partial (still running, or cut by the period's start) | future (yet to come)
    note: str = ""  # why it is partial: "today so far", "first week: 3 days"
    tick: bool = True  # whether its label is printed under the axis


@dataclass(frozen=True)
class TimeChart:
    title: str
    subtitle: str
    currency: str
    buckets: tuple[Bucket, ...]
    previous_label: str  # the ghost's legend: "yesterday", "previous 7 days"
    axis_label: str  # "hour of the day (UTC)", "day", "week starting"
    now_at: float | None = None  # where "now" falls, in bar positions (bar i spans i-0.5 .. i+0.5)


@dataclass(frozen=True)
class RankChart:
    """Horizontal bars, biggest first, each with a note at its end."""

    title: str
    subtitle: str
    labels: tuple[str, ...]
    values: tuple[int, ...]
    notes: tuple[str, ...]
    value_label: str
    currency: str | None = None  # values are money in this currency's minor units


Chart = TimeChart | RankChart


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    detail: str = ""  # the comparison, or what the number is made of


@dataclass(frozen=True)
class Report:
    title: str
    figures: tuple[Figure, ...]
    lines: tuple[str, ...]  # list items; may hold imported text (product names): escape for the markup
    charts: tuple[Chart, ...]
    slug: str  # for file names: "sales-7d"
    note: str = ""  # how the numbers are compared or defined

    @property
    def text(self) -> str:
        figures = [f"{f.label}: {f.value}" + (f" ({f.detail})" if f.detail else "") for f in self.figures]
        return "\n".join((f"*{self.title}*", *figures, *self.lines))

    @property
    def chart(self) -> Chart | None:
        return self.charts[0] if self.charts else None


# --- buckets -----------------------------------------------------------------------------------------------


def bucket_state(start: datetime, end: datetime, now: datetime) -> str:
    """A bar covering ``[start, end)`` is done once ``end`` has passed, partial while ``now`` is inside."""
    if end <= now:
        return DONE
    return PARTIAL if start <= now else FUTURE


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def hour_buckets(day: date, now: datetime, hours: list[HourSales]) -> tuple[Bucket, ...]:
    """24 bars for ``day``: the hours that passed, the one under way ("so far") and those still to come,
    each with the same hour one day earlier as its ghost (``hours`` may hold both days)."""
    by_hour = {h.hour: h for h in hours}
    out = []
    for i in range(24):
        start = _midnight(day) + timedelta(hours=i)
        state = bucket_state(start, start + timedelta(hours=1), now)
        this, before = by_hour.get(start), by_hour.get(start - timedelta(days=1))
        out.append(
            Bucket(
                f"{i:02d}",
                this.gross if this and state != FUTURE else 0,
                this.orders if this and state != FUTURE else 0,
                before.gross if before else 0,
                state,
                "this hour so far" if state == PARTIAL else "",
            )
        )
    return tuple(out)


def day_spans(period: Period) -> list[tuple[date, date]]:
    """The bars of a multi-day period: one per day, or per calendar week (Monday to Sunday, cut to the period)
    when the period is longer than a month."""
    if period.length <= WEEKLY_AFTER:
        return [(d, d) for d in period.days()]
    spans = []
    first = period.start
    while first <= period.end:
        last = min(first + timedelta(days=6 - first.weekday()), period.end)
        spans.append((first, last))
        first = last + timedelta(days=1)
    return spans


class DaySum(Protocol):
    """A day's paid orders (``DayPoint`` from the rollups, ``DaySales``)."""

    @property
    def day(self) -> date: ...
    @property
    def orders(self) -> int: ...
    @property
    def gross(self) -> int: ...


def day_buckets(
    period: Period, now: datetime, days: Sequence[DaySum], previous: Sequence[DaySum]
) -> tuple[Bucket, ...]:
    """Bars of ``period`` from daily sales, the ghost from ``previous`` (the period just before) shifted
    forward by the period's length, so each bar is compared with the same days one period earlier."""
    shift = timedelta(days=period.length)
    this = {d.day: d for d in days}
    before = {d.day + shift: d for d in previous}
    spans = day_spans(period)
    weekly = spans[0][0] != spans[0][1] or len(spans) < period.length
    out = []
    for first, last in spans:
        span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        state = bucket_state(_midnight(first), _midnight(last + timedelta(days=1)), now)
        note = ("this week so far" if weekly else "today so far") if state == PARTIAL else ""
        if weekly and len(span) < 7 and state == DONE:  # the first week, cut by the period's start
            state, note = PARTIAL, f"first week: {plural(len(span), 'day')}"
        if weekly:
            label, tick = f"{first:%b} {first.day}", True
        elif period.length <= 14:
            label, tick = f"{first:%a} {first.day}", True
        else:  # a month of days: weekly ticks, on Mondays
            label, tick = f"{first:%b} {first.day}", first.weekday() == 0
        out.append(
            Bucket(
                label,
                sum(this[d].gross for d in span if d in this),
                sum(this[d].orders for d in span if d in this),
                sum(before[d].gross for d in span if d in before),
                state,
                note,
                tick,
            )
        )
    return tuple(out)


# --- the reports -------------------------------------------------------------------------------------------


def _until(now: datetime) -> str:
    return f"{now:%H:%M} UTC"


def _against(period: Period, now: datetime) -> str:
    if period.length == 1:
        return f"yesterday until {now:%H:%M}" if now < period.window()[1] else "yesterday"
    return f"the previous {period.length} days"


@dataclass(frozen=True)
class Rates:
    """What the rates of a period are made of: returning orders of all orders, payers of those who wrote."""

    orders: int
    returning_orders: int
    new_customers: int
    wrote: int  # customers who wrote to the shop, counted per day (the funnel's first step)
    paid: int  # customers who paid, counted per day (its last step)

    @classmethod
    def of(cls, totals: Totals, steps: list[FunnelStep]) -> Rates:
        reached = {s.name: s.customers for s in steps}
        return cls(
            totals.orders,
            totals.returning_orders,
            totals.new_customers,
            reached.get("message_received", 0),
            reached.get("order_paid", 0),
        )


def sales_figures(
    period: Period, now: datetime, cur: Totals, before: Takings, rates: Rates, rates_before: Rates, currency: str
) -> tuple[Figure, ...]:
    """What a manager reads first: money and orders against the same stretch of time one period earlier,
    the rates against the whole previous period."""
    against = _against(period, now)
    c = currency
    return (
        Figure(
            "Total sales",
            money(cur.gross, c),
            _with(change(cur.gross, before.gross, against), money(before.gross, c)),
        ),
        Figure("Orders", f"{cur.orders:,}", _with(change(cur.orders, before.orders, against), f"{before.orders:,}")),
        Figure(
            "Average order value",
            money(cur.average_order_value, c),
            _with(
                change(cur.average_order_value, before.average_order_value, against),
                money(before.average_order_value, c),
            ),
        ),
        Figure("Net of refunds", money(cur.net, c), f"refunded {money(cur.gross - cur.net, c)}" if cur.gross else ""),
        Figure(
            "Orders from returning customers",
            rate(rates.returning_orders, rates.orders),
            f"{rates.returning_orders:,} of {plural(rates.orders, 'order')}; "
            f"{plural(rates.new_customers, 'new customer')}"
            + (f"; {rate(rates_before.returning_orders, rates_before.orders)} before" if rates_before.orders else ""),
        ),
        Figure(
            "Conversion",
            rate(rates.paid, rates.wrote),
            f"{rates.paid:,} of {rates.wrote:,} who wrote to the shop paid"
            + (f"; {rate(rates_before.paid, rates_before.wrote)} before" if rates_before.wrote else ""),
        ),
    )


def _with(comparison: str, previous: str) -> str:
    return f"{comparison} ({previous})" if comparison and not comparison.startswith("up from nothing") else comparison


def channel_lines(channels: list[Ranked], total: int, currency: str) -> tuple[str, ...]:
    """Sales by channel, most revenue first, with each one's share of the total."""
    return tuple(
        f"{CHANNEL_NAMES.get(ch.key, ch.key)}: {money(ch.amount, currency)} "
        f"({rate(ch.amount, total)}, {plural(ch.orders, 'order')})"
        for ch in channels
    )


def _hours(day: date, rows: list[tuple[int, int, int]]) -> list[HourSales]:
    return [HourSales(_midnight(day) + timedelta(hours=h), orders, gross) for h, orders, gross in rows]


def _steps(rows: list[Ranked]) -> list[FunnelStep]:
    return [FunnelStep(r.key, r.orders) for r in rows]


async def sales(views: ReportRollups, period: Period, now: datetime) -> Report:
    prev = period.previous()
    cur = await views.totals(period.start, period.end)
    lo, hi = period.previous_window(now)
    before = await views.takings(lo, hi)
    rates = Rates.of(cur, _steps(await views.funnel(period.start, period.end)))
    rates_before = Rates.of(await views.totals(prev.start, prev.end), _steps(await views.funnel(prev.start, prev.end)))
    c = views.currency
    against = _against(period, now)
    if period.length == 1:
        day = period.start
        hours = _hours(day - timedelta(days=1), await views.hourly(day - timedelta(days=1)))
        hours += _hours(day, await views.hourly(day))
        buckets = hour_buckets(day, now, hours)
        under_way = next((i for i, b in enumerate(buckets) if b.state == PARTIAL), None)
        now_at = None if under_way is None else under_way - 0.5 + now.minute / 60
        title = f"Sales, today ({day}, until {_until(now)})" if now < _midnight(day + timedelta(days=1)) else None
        axis, unit = "hour of the day (UTC)", "hour"
    else:
        days = await views.trend(period.start, period.end)
        previous = await views.trend(prev.start, prev.end)
        buckets = day_buckets(period, now, days, previous)
        now_at, title = None, None
        weekly = len(buckets) < period.length
        axis, unit = ("week starting", "week") if weekly else ("day", "day")
    title = title or f"Sales, {period.label} ({period.start} to {period.end})"
    headline = f"{money(cur.gross, c)} from {plural(cur.orders, 'order')}"
    comparison = change(cur.gross, before.gross, against)
    chart = TimeChart(
        f"Sales per {unit}, {period.label} ({c})",
        headline + (f" · {comparison}" if comparison else ""),
        c,
        buckets,
        prev.label.removeprefix("the "),
        axis,
        now_at,
    )
    note = (
        f"Sales and orders compared with {lo:%Y-%m-%d %H:%M} to {hi:%Y-%m-%d %H:%M} UTC (the same stretch of time "
        f"one period earlier); the rates with {'all of yesterday' if period.length == 1 else prev.label}. "
        "As on the /admin dashboard: "
        "total sales are what customers paid, shipping and tax included, on the UTC day of payment; an order is "
        "from a returning customer when the customer had paid for an earlier one; conversion counts customers "
        "per day."
    )
    slug = "sales-" + ("today" if period.length == 1 else f"{period.length}d")
    channels = await views.sales_by("channel", period.start, period.end)
    lines = tuple(f"By channel: {line}" for line in channel_lines(channels, cur.gross, c))
    return Report(title, sales_figures(period, now, cur, before, rates, rates_before, c), lines, (chart,), slug, note)


def product_lines(top: list[TopProduct], currency: str) -> tuple[str, ...]:
    return tuple(
        f"{i}. {p.name}: {money(p.revenue, currency)} from {plural(p.units, 'unit')}" for i, p in enumerate(top, 1)
    )


def _short(name: str, limit: int = 34) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


async def top_products(views: ReportRollups, period: Period, now: datetime, limit: int = 10) -> Report:
    ranked = await views.top_products(period.start, period.end, "revenue", limit)
    top = [TopProduct(int(r.key), r.label, r.orders, r.amount) for r in ranked]
    total = await views.totals(period.start, period.end)
    c = views.currency
    sold = sum(p.revenue for p in top)
    figures = (
        Figure("Total sales", money(total.gross, c), f"{plural(total.orders, 'order')}"),
        Figure(f"Top {len(top)} products", money(sold, c), f"{rate(sold, total.gross)} of total sales")
        if top
        else Figure("Top products", "none", "no paid orders in this period"),
    )
    chart = RankChart(
        f"Top products by revenue, {period.label} ({c})",
        f"{money(sold, c)} of {money(total.gross, c)} total sales" if top else "",
        tuple(_short(p.name) for p in top),
        tuple(p.revenue for p in top),
        tuple(f"{whole_units(p.revenue, c):,} · {plural(p.units, 'unit')}" for p in top),
        f"revenue ({c})",
        c,
    )
    slug = "top-products-" + ("today" if period.length == 1 else f"{period.length}d")
    return Report(
        f"Top products, {period.label}",
        figures,
        product_lines(top, c) or ("No sales in this period.",),
        (chart,) if top else (),
        slug,
        "Revenue is what the product's lines brought in after line discounts, before shipping and tax.",
    )


def step_rates(steps: list[FunnelStep]) -> tuple[str, ...]:
    """Each step's customers as a share of the step before (the first: of itself)."""
    return tuple(
        "" if i == 0 else f"{rate(s.customers, steps[i - 1].customers)} of previous step" for i, s in enumerate(steps)
    )


async def funnel(views: ReportRollups, period: Period, now: datetime) -> Report:
    steps = _steps(await views.funnel(period.start, period.end))
    prev = period.previous()
    before = _steps(await views.funnel(prev.start, prev.end))
    rates = step_rates(steps)
    names = [FUNNEL_NAMES.get(s.name, s.name.replace("_", " ")) for s in steps]
    lines = tuple(
        f"{name}: {plural(s.customers, 'customer')}" + (f" ({r})" if r else "")
        for name, s, r in zip(names, steps, rates, strict=True)
    )
    first, last = (steps[0].customers, steps[-1].customers) if steps else (0, 0)
    b_first, b_last = (before[0].customers, before[-1].customers) if before else (0, 0)
    overall = rate(last, first)
    figures = (
        Figure(
            "Conversion",
            overall,
            f"{last:,} of {first:,} who wrote to the shop paid"
            + (f"; {rate(b_last, b_first)} in {prev.label}" if b_first else ""),
        ),
    )
    chart = RankChart(
        f"Funnel, {period.label} (customers)",
        f"{overall} of the customers who wrote to the shop paid",
        tuple(names),
        tuple(s.customers for s in steps),
        tuple(f"{s.customers:,}" + (f" · {r}" if r else "") for s, r in zip(steps, rates, strict=True)),
        "customers",
    )
    slug = "funnel-" + ("today" if period.length == 1 else f"{period.length}d")
    return Report(
        f"Funnel, {period.label}",
        figures,
        lines,
        (chart,),
        slug,
        "Customers reaching each step, counted per day as on the /admin dashboard (one who comes back on another "
        "day counts again); each percentage is of the step before.",
    )


async def build(views: ReportRollups, kind: str, period_text: str, now: datetime) -> Report:
    period = Period.parse(period_text, now.date())
    if kind == "sales":
        return await sales(views, period, now)
    if kind == "top-products":
        return await top_products(views, period, now)
    if kind == "funnel":
        return await funnel(views, period, now)
    raise ValidationFailed(f"Unknown report {kind[:40]!r}. {USAGE}")


def parse_command(text: str) -> tuple[str, str]:
    """``"sales 7d"`` → ("sales", "7d"); the period defaults to 7 days (today for sales)."""
    words = text.split()
    if not words:
        raise ValidationFailed(USAGE)
    kind = words[0].lower()
    default = "today" if kind == "sales" else "7d"
    return kind, words[1] if len(words) > 1 else default
