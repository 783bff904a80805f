"""The report figures and charts a shop manager reads in Slack, from known data (no database, no Slack)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bots.ops import reports
from bots.ops.charts import render_png
from bots.ops.reports import (
    DONE,
    FUTURE,
    PARTIAL,
    Period,
    RankChart,
    TimeChart,
    change,
    day_buckets,
    hour_buckets,
    rate,
    step_rates,
    whole_units,
)
from domain.views.dashboard import DayPoint, Ranked, ReportRollups, Takings, Totals, change_figure, percent_change
from domain.views.models import DaySales, FunnelStep, HourSales

NOW = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)  # a Monday afternoon


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Paid:
    at: datetime
    total: int  # minor units
    customer: int
    channel: str = "telegram"
    captured_less_refunded: int | None = None


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return datetime.combine(start, time.min, UTC), datetime.combine(end + timedelta(days=1), time.min, UTC)


class PaidOrders:
    """The reports' port over a list of paid orders, computed the way the rollups define the numbers (what the
    dashboard shows): money by the UTC day and hour of payment, an order from a returning customer when the
    customer paid for an earlier one, the funnel's customers distinct per day and summed over the days."""

    currency = "USD"

    def __init__(self, orders: list[Paid], wrote: dict[int, datetime] | None = None) -> None:
        self.orders = orders
        self.wrote = wrote or {}  # customer -> when they wrote to the shop

    def _in(self, start: datetime, end: datetime) -> list[Paid]:
        return [o for o in self.orders if start <= o.at < end]

    def _net(self, o: Paid) -> int:
        return o.total if o.captured_less_refunded is None else o.captured_less_refunded

    def _first(self, o: Paid) -> bool:
        return not any(p.customer == o.customer and p.at < o.at for p in self.orders)

    async def takings(self, start: datetime, end: datetime) -> Takings:
        inside = self._in(start, end)
        return Takings(len(inside), sum(o.total for o in inside), sum(self._net(o) for o in inside))

    async def totals(self, start: date, end: date) -> Totals:
        inside = self._in(*_bounds(start, end))
        new = sum(1 for o in inside if self._first(o))
        return Totals(
            len(inside), sum(o.total for o in inside), sum(self._net(o) for o in inside), new, len(inside) - new
        )

    async def trend(self, start: date, end: date) -> list[DayPoint]:
        days: dict[date, list[Paid]] = {}
        for o in self._in(*_bounds(start, end)):
            days.setdefault(o.at.date(), []).append(o)
        return [DayPoint(d, len(os), sum(o.total for o in os)) for d, os in sorted(days.items())]

    async def hourly(self, day: date) -> list[tuple[int, int, int]]:
        hours: dict[int, list[Paid]] = {}
        for o in self._in(*_bounds(day, day)):
            hours.setdefault(o.at.hour, []).append(o)
        return [(h, len(os), sum(o.total for o in os)) for h, os in sorted(hours.items())]

    async def sales_by(self, dimension: str, start: date, end: date) -> list[Ranked]:
        channels: dict[str, list[Paid]] = {}
        for o in self._in(*_bounds(start, end)):
            channels.setdefault(o.channel, []).append(o)
        rows = [Ranked(ch, ch, len(os), sum(o.total for o in os)) for ch, os in channels.items()]
        return sorted(rows, key=lambda r: -r.amount)

    async def top_products(self, start: date, end: date, by: str = "revenue", limit: int = 10) -> list[Ranked]:
        return []

    async def funnel(self, start: date, end: date) -> list[Ranked]:
        lo, hi = _bounds(start, end)
        wrote = {(c, t.date()) for c, t in self.wrote.items() if lo <= t < hi}
        paid = {(o.customer, o.at.date()) for o in self._in(lo, hi)}
        counts = {"message_received": len(wrote), "order_paid": len(paid)}
        return [Ranked(step, step, counts.get(step, 0), 0) for step in reports.FUNNEL_NAMES]


def views(orders: list[Paid], wrote: dict[int, datetime] | None = None) -> ReportRollups:
    return PaidOrders(orders, wrote)


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk comes first
    return int(width), int(height)


# --- numbers as words ------------------------------------------------------------------------------------


def test_percent_change_rounds_half_away_from_zero_and_has_no_answer_without_a_previous_value() -> None:
    assert percent_change(11_200, 10_000) == 12
    assert percent_change(10_050, 10_000) == 1  # 0.5% rounds up
    assert percent_change(9_950, 10_000) == -1  # and -0.5% down
    assert percent_change(9_940, 10_000) == -1
    assert percent_change(5, 0) is None


def test_the_dashboard_says_a_change_as_a_percentage_a_multiple_from_ten_times_and_a_dash_with_nothing_before() -> None:
    assert change_figure(11_200, 10_000) == "+12%"
    assert change_figure(9_700, 10_000) == "-3%"
    assert change_figure(10_000, 10_000) == "0%"
    assert change_figure(1_494_100, 10_000) == "149x"  # not "+14841.0%"
    assert change_figure(5, 0) == "—"


def test_a_comparison_says_how_much_more_or_less_than_the_previous_period() -> None:
    assert change(11_200, 10_000, "the previous 7 days") == "+12% vs the previous 7 days"
    assert change(8_800, 10_000, "the previous 7 days") == "-12% vs the previous 7 days"
    assert change(10_000, 10_000, "yesterday") == "same as yesterday"
    assert change(500, 0, "yesterday") == "up from nothing (yesterday)"
    assert change(0, 0, "yesterday") == ""
    assert change(698_000, 1_000, "the previous 90 days") == "698x the previous 90 days"


def test_rates_have_one_decimal_rounded_half_up_and_a_dash_for_nothing() -> None:
    assert [rate(1, 3), rate(2, 3), rate(1, 8), rate(3, 3), rate(0, 7)] == ["33.3%", "66.7%", "12.5%", "100.0%", "0.0%"]
    assert rate(0, 0) == "–"


def test_bar_labels_are_whole_major_units_rounded_half_up_in_the_shops_currency() -> None:
    assert whole_units(123_450, "USD") == 1_235
    assert whole_units(123_449, "USD") == 1_234
    assert whole_units(1_234, "JPY") == 1_234  # no minor unit
    assert whole_units(1_234_500, "KWD") == 1_235  # three decimals
    assert whole_units(-150, "USD") == -2


# --- partial day, weeks and the ghost of the previous period ---------------------------------------------


def test_today_by_hour_marks_the_hour_under_way_and_the_hours_still_to_come() -> None:
    hours = [
        HourSales(at(2, 9), 2, 12_000),
        HourSales(at(2, 14), 1, 3_000),  # at 14:05, the hour under way
        HourSales(at(1, 9), 1, 5_000),  # yesterday, the ghosts
        HourSales(at(1, 20), 3, 9_000),
    ]
    buckets = hour_buckets(date(2026, 11, 2), NOW, hours)
    assert len(buckets) == 24 and buckets[0].label == "00" and buckets[23].label == "23"
    assert [b.state for b in buckets] == [DONE] * 14 + [PARTIAL] + [FUTURE] * 9
    assert (buckets[9].revenue, buckets[9].orders, buckets[9].previous) == (12_000, 2, 5_000)
    assert (buckets[14].revenue, buckets[14].note) == (3_000, "this hour so far")
    assert (buckets[20].revenue, buckets[20].previous) == (0, 9_000)  # yesterday evening shows what may come


def test_an_hour_is_done_the_moment_it_ends() -> None:
    buckets = hour_buckets(date(2026, 11, 2), at(2, 14), [])
    assert (buckets[13].state, buckets[14].state, buckets[15].state) == (DONE, PARTIAL, FUTURE)


def test_seven_days_by_day_with_today_so_far_and_the_previous_week_as_ghost() -> None:
    period = Period.parse("7d", NOW.date())
    assert (period.start, period.end) == (date(2026, 10, 27), date(2026, 11, 2))
    days = (DaySales(date(2026, 10, 27), 2, 20_000, 20_000), DaySales(date(2026, 11, 2), 1, 4_000, 4_000))
    previous = (DaySales(date(2026, 10, 20), 1, 9_000, 9_000), DaySales(date(2026, 10, 26), 3, 30_000, 30_000))
    buckets = day_buckets(period, NOW, days, previous)
    assert [b.label for b in buckets] == ["Tue 27", "Wed 28", "Thu 29", "Fri 30", "Sat 31", "Sun 1", "Mon 2"]
    assert [b.revenue for b in buckets] == [20_000, 0, 0, 0, 0, 0, 4_000]
    assert [b.previous for b in buckets] == [9_000, 0, 0, 0, 0, 0, 30_000]  # each day 7 days earlier
    assert [b.state for b in buckets] == [DONE] * 6 + [PARTIAL]
    assert buckets[-1].note == "today so far"


def test_thirty_days_tick_weekly_on_mondays() -> None:
    buckets = day_buckets(Period.parse("30d", NOW.date()), NOW, (), ())
    assert len(buckets) == 30
    assert [b.label for b in buckets if b.tick] == ["Oct 5", "Oct 12", "Oct 19", "Oct 26", "Nov 2"]


def test_ninety_days_are_calendar_weeks_with_the_cut_first_week_and_this_week_marked() -> None:
    period = Period.parse("90d", NOW.date())
    assert (period.start, period.end) == (date(2026, 8, 5), date(2026, 11, 2))  # a Wednesday to a Monday
    days = tuple(DaySales(d, 1, 1_000, 1_000) for d in period.days())
    previous = tuple(DaySales(d, 1, 500, 500) for d in period.previous().days())
    buckets = day_buckets(period, NOW, days, previous)
    assert len(buckets) == 14
    assert (buckets[0].label, buckets[0].revenue, buckets[0].state) == ("Aug 5", 5_000, PARTIAL)
    assert buckets[0].note == "first week: 5 days"
    assert [b.label for b in buckets[1:3]] == ["Aug 10", "Aug 17"]  # Mondays
    assert all(b.revenue == 7_000 and b.orders == 7 and b.state == DONE for b in buckets[1:13])
    assert (buckets[13].label, buckets[13].revenue, buckets[13].state) == ("Nov 2", 1_000, PARTIAL)
    assert buckets[13].note == "this week so far"
    assert sum(b.revenue for b in buckets) == 90_000
    assert sum(b.previous for b in buckets) == 45_000  # the previous 90 days, laid over the same weeks


def test_the_previous_period_is_as_long_and_ends_where_this_one_starts() -> None:
    period = Period.parse("7d", NOW.date())
    assert period.previous() == Period("the previous 7 days", date(2026, 10, 20), date(2026, 10, 26))
    assert period.previous_window(NOW) == (at(20, 0, month=10), at(26, 14, 5, month=10))
    assert Period.parse("today", NOW.date()).previous().label == "yesterday"


# --- reports from known orders ---------------------------------------------------------------------------


async def test_sales_today_is_compared_with_yesterday_until_the_same_time() -> None:
    orders = [
        Paid(at(1, 10), 8_500, customer=1),  # yesterday morning: counted
        Paid(at(1, 20), 1_700, customer=2),  # yesterday evening, after 14:05: not yet comparable
        Paid(at(2, 9, 30), 8_500, customer=3),
        Paid(at(2, 13, 50), 3_000, customer=1, channel="webchat"),  # customer 1 again: returning
    ]
    report = await reports.build(views(orders), "sales", "today", NOW)
    figures = {f.label: (f.value, f.detail) for f in report.figures}
    assert report.title == "Sales, today (2026-11-02, until 14:05 UTC)"
    assert figures["Total sales"] == ("115.00 USD", "+35% vs yesterday until 14:05 (85.00 USD)")
    assert figures["Orders"] == ("2", "+100% vs yesterday until 14:05 (1)")
    assert figures["Average order value"] == ("57.50 USD", "-32% vs yesterday until 14:05 (85.00 USD)")
    assert figures["Orders from returning customers"][0] == "50.0%"  # customer 1 had paid yesterday; 3 is new
    assert report.lines == (
        "By channel: Telegram: 85.00 USD (73.9%, 1 order)",
        "By channel: Web chat: 30.00 USD (26.1%, 1 order)",
    )
    [chart] = report.charts
    assert isinstance(chart, TimeChart)
    assert chart.subtitle == "115.00 USD from 2 orders · +35% vs yesterday until 14:05"
    assert chart.previous_label == "yesterday"
    assert [b.revenue for b in chart.buckets if b.revenue] == [8_500, 3_000]
    assert [b.previous for b in chart.buckets if b.previous] == [8_500, 1_700]
    assert chart.now_at == pytest.approx(14 - 0.5 + 5 / 60)


async def test_sales_of_seven_days_are_compared_with_the_seven_days_before() -> None:
    orders = [
        Paid(at(21, 12, month=10), 10_000, customer=1),
        Paid(at(25, 12, month=10), 15_000, customer=2),
        Paid(at(28, 12, month=10), 12_000, customer=1),
        Paid(at(30, 12, month=10), 16_000, customer=3),
        Paid(at(2, 11), 800, customer=4),
    ]
    report = await reports.build(views(orders), "sales", "7d", NOW)
    figures = {f.label: (f.value, f.detail) for f in report.figures}
    assert report.title == "Sales, last 7 days (2026-10-27 to 2026-11-02)"
    assert figures["Total sales"] == ("288.00 USD", "+15% vs the previous 7 days (250.00 USD)")
    assert figures["Orders"] == ("3", "+50% vs the previous 7 days (2)")
    assert figures["Orders from returning customers"] == ("33.3%", "1 of 3 orders; 2 new customers; 0.0% before")
    assert report.slug == "sales-7d"
    [chart] = report.charts
    assert isinstance(chart, TimeChart) and chart.title == "Sales per day, last 7 days (USD)"
    assert sum(b.revenue for b in chart.buckets) == 28_800 and sum(b.previous for b in chart.buckets) == 25_000


async def test_conversion_is_customers_who_paid_of_those_who_wrote() -> None:
    wrote = {1: at(2, 8), 2: at(2, 9), 3: at(2, 10), 4: at(2, 11)}
    report = await reports.build(views([Paid(at(2, 12), 5_000, customer=1)], wrote), "sales", "today", NOW)
    conversion = next(f for f in report.figures if f.label == "Conversion")
    assert (conversion.value, conversion.detail) == ("25.0%", "1 of 4 who wrote to the shop paid")


def test_each_funnel_step_is_a_share_of_the_step_before() -> None:
    steps = [FunnelStep("message_received", 200), FunnelStep("product_viewed", 150), FunnelStep("order_paid", 50)]
    assert step_rates(steps) == ("", "75.0% of previous step", "33.3% of previous step")


async def test_top_products_are_ranked_by_revenue_and_show_units() -> None:
    class Top(PaidOrders):
        async def top_products(self, start: date, end: date, by: str = "revenue", limit: int = 10) -> list[Ranked]:
            return [Ranked("1", "Stride Running Shoes", 2, 160_000), Ranked("2", "Hearth Mug", 30, 36_000)]

    port = Top([Paid(at(1, 12), 200_000, customer=1)])
    report = await reports.build(port, "top-products", "7d", NOW)
    assert report.lines == (
        "1. Stride Running Shoes: 1,600.00 USD from 2 units",
        "2. Hearth Mug: 360.00 USD from 30 units",
    )
    assert report.figures[1].value == "1,960.00 USD" and report.figures[1].detail == "98.0% of total sales"
    [chart] = report.charts
    assert isinstance(chart, RankChart)
    assert chart.notes == ("1,600 · 2 units", "360 · 30 units")


# --- the pictures ----------------------------------------------------------------------------------------


async def test_charts_are_drawn_at_twice_the_size_they_are_shown() -> None:
    orders = [Paid(at(2, h), 1_234_567 * (h + 1), customer=h) for h in range(14)]
    report = await reports.build(views(orders), "sales", "today", NOW)
    assert png_size(render_png(report.charts[0])) == (1600, 900)


def test_a_product_name_with_dollar_signs_is_drawn_as_text_not_math() -> None:
    # Imported product text: between two dollar signs, matplotlib would read TeX and refuse "\\frac" alone.
    name = "Tee $\\frac$ sale"
    chart = RankChart("Top products", "", (name,), (500,), ("5 · 1 unit",), "revenue (USD)", "USD")
    width, height = png_size(render_png(chart))
    assert width == 1600 and height >= 520


def test_an_empty_period_still_draws() -> None:
    buckets = hour_buckets(date(2026, 11, 2), NOW, [])
    chart = TimeChart("Sales per hour, today (USD)", "", "USD", buckets, "yesterday", "hour", None)
    assert png_size(render_png(chart)) == (1600, 900)
