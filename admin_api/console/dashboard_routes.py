"""The dashboard (issue 20): sales, customers, funnel, campaigns and cohorts for a period against the one
before, every figure from the analytics rollups; each chart's data as CSV. Staff who may see reports only."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from aiohttp import web

from admin_api.console.charts import bars
from admin_api.console.deps import deps
from admin_api.console.forecast_chart import trend_with_forecast
from admin_api.console.pages import SESSION, page
from domain.errors import NotFound
from domain.model.money import Money
from domain.model.staff import Permission
from domain.views.dashboard import DashboardViews, change_figure

routes = web.RouteTableDef()
PERIODS = (1, 7, 30, 90, 365)
CHARTS = ("trend", "products", "categories", "countries", "channels", "funnel", "campaigns", "cohorts")


def _views(request: web.Request) -> DashboardViews:
    request[SESSION].as_actor().require(Permission.VIEW_REPORTS)
    views = deps(request).dashboard
    if views is None:
        raise NotFound("The dashboard is not set up on this server.")
    return views


def _period(request: web.Request) -> int:
    text = request.query.get("days", "30")
    return int(text) if text.isascii() and text.isdigit() and int(text) in PERIODS else 30


async def _data(views: DashboardViews, today: date, days: int) -> dict[str, Any]:
    start = today - timedelta(days=days - 1)
    before_end = start - timedelta(days=1)
    before_start = before_end - timedelta(days=days - 1)
    trend_start = today - timedelta(days=max(days, 30) - 1)
    return {
        "now": await views.totals(start, today),
        "before": await views.totals(before_start, before_end),
        "trend": await views.trend(trend_start, today),
        "hourly": await views.hourly(today),
        "products": await views.top_products(start, today, "revenue"),
        "products_units": await views.top_products(start, today, "units"),
        "categories": await views.top_categories(start, today),
        "countries": await views.sales_by("country", start, today),
        "channels": await views.sales_by("channel", start, today),
        "funnel": await views.funnel(start, today),
        "campaigns": await views.campaigns(start, today),
        "cohorts": await views.cohorts((today.replace(day=1) - timedelta(days=335)).replace(day=1)),
    }


def _cohort_grid(cells: list[Any]) -> tuple[list[int], list[tuple[date, list[tuple[int, str]]]]]:
    """Rows of (first-order month, [(customers, share of the cohort)] by months since)."""
    by: dict[date, dict[int, int]] = {}
    for cell in cells:
        since = (cell.month.year - cell.cohort.year) * 12 + cell.month.month - cell.cohort.month
        by.setdefault(cell.cohort, {})[since] = cell.customers
    width = max((max(m) for m in by.values()), default=0) + 1
    rows = []
    for cohort, months in sorted(by.items()):
        size = months.get(0, 0) or 1
        rows.append((cohort, [(months.get(i, 0), f"{months.get(i, 0) * 100 // size}%") for i in range(width)]))
    return list(range(width)), rows


@routes.get("/dashboard")
async def dashboard(request: web.Request) -> web.Response:
    views, days = _views(request), _period(request)
    today = views.today()
    data = await _data(views, today, days)
    currency = views.currency

    def fmt(amount: int) -> str:
        return Money(amount, currency).format()

    if days == 1:  # today by the hour
        trend = bars([(f"{h:02d}:00", gross, f"{fmt(gross)}, {n}") for h, n, gross in data["hourly"]])
    else:
        trend = bars([(p.day.isoformat(), p.gross, f"{fmt(p.gross)}, {p.orders}") for p in data["trend"]])
    forecast = None
    reorder = deps(request).reorder
    ahead = await reorder.forecast_revenue_by_day(currency) if reorder is not None and days != 1 else []
    if ahead:
        forecast = trend_with_forecast(
            [(p.day.isoformat(), p.gross, f"{fmt(p.gross)}, {p.orders}") for p in data["trend"]],
            [
                (f.day.isoformat(), f.mean, f.lo80, f.hi80, f"{fmt(f.mean)} ({fmt(f.lo80)}–{fmt(f.hi80)})")
                for f in ahead
            ],
        )
        trend = forecast.bars
    funnel = data["funnel"]
    steps = [
        (s.label, s.orders, f"{s.orders * 100 // funnel[i - 1].orders}%" if i and funnel[i - 1].orders else "")
        for i, s in enumerate(funnel)
    ]
    campaigns = [(c, sent, fmt(c.amount * 1000 // sent) if sent else "—") for c, sent in data["campaigns"]]
    months, grid = _cohort_grid(data["cohorts"])
    now, before = data["now"], data["before"]
    kpis = [
        ("Revenue", fmt(now.gross), change_figure(now.gross, before.gross)),
        ("Net revenue", fmt(now.net), change_figure(now.net, before.net)),
        ("Orders", f"{now.orders:,}", change_figure(now.orders, before.orders)),
        (
            "Average order value",
            fmt(now.average_order_value),
            change_figure(now.average_order_value, before.average_order_value),
        ),
        ("New customers", f"{now.new_customers:,}", change_figure(now.new_customers, before.new_customers)),
        (
            "Orders from returning customers",
            f"{now.returning_orders:,}",
            change_figure(now.returning_orders, before.returning_orders),
        ),
    ]
    context = {
        "days": days,
        "periods": PERIODS,
        "kpis": kpis,
        "trend": trend,
        "forecast": forecast,
        "d": data,
        "steps": steps,
        "campaigns": campaigns,
        "months": months,
        "grid": grid,
        "fmt": fmt,
    }
    return page(request, "dashboard.html", context)


@routes.get("/dashboard/{chart}.csv")
async def chart_csv(request: web.Request) -> web.Response:
    views, days = _views(request), _period(request)
    chart = request.match_info["chart"]
    if chart not in CHARTS:
        raise NotFound(f"No chart {chart}.")
    today = views.today()
    data = await _data(views, today, days)
    out = io.StringIO()
    w = csv.writer(out)
    if chart == "trend" and days == 1:
        w.writerow(["hour_utc", "orders", "gross_minor"])
        w.writerows([f"{h:02d}:00", n, gross] for h, n, gross in data["hourly"])
    elif chart == "trend":
        w.writerow(["day", "orders", "gross_minor"])
        w.writerows([p.day.isoformat(), p.orders, p.gross] for p in data["trend"])
    elif chart == "campaigns":
        w.writerow(["campaign", "orders", "gross_minor", "messages_sent"])
        w.writerows([c.label, c.orders, c.amount, sent] for c, sent in data["campaigns"])
    elif chart == "cohorts":
        w.writerow(["cohort_month", "month", "customers"])
        w.writerows([x.cohort.isoformat(), x.month.isoformat(), x.customers] for x in data["cohorts"])
    else:
        w.writerow(["key", "count", "amount_minor"])
        w.writerows([r.label, r.orders, r.amount] for r in data[chart])
    headers = {"Content-Disposition": f'attachment; filename="{chart}-{days}d.csv"'}
    return web.Response(text=_safe(out.getvalue()), content_type="text/csv", headers=headers)


def _safe(text: str) -> str:
    """Cells a spreadsheet would run as a formula (=, +, -, @ first) get a leading apostrophe."""
    lines = []
    for row in csv.reader(io.StringIO(text)):
        lines.append([("'" + cell) if cell[:1] in ("=", "+", "@") else cell for cell in row])
    out = io.StringIO()
    csv.writer(out).writerows(lines)
    return out.getvalue()
