"""The reports of `chatshop report` as JSON: from the analytics rollups, the dashboard's figures."""

from __future__ import annotations

from admin_api.rest import schemas as s
from admin_api.rest.deps import deps
from admin_api.rest.registry import Call, Reply
from admin_api.rest.routes import API
from domain.errors import ValidationFailed

MAX_DAYS = 366


def period(q: s.Period) -> None:
    if q.end < q.start:
        raise ValidationFailed("`to` is before `from`.")
    if (q.end - q.start).days >= MAX_DAYS:
        raise ValidationFailed(f"A report covers at most {MAX_DAYS} days.")


@API.operation(
    "GET",
    "/reports/sales",
    scope="reports:read",
    summary="Paid orders per day",
    tag="reports",
    query=s.Period,
    responses={200: s.SalesReport},
)
async def sales_report(call: Call) -> Reply:
    q: s.Period = call.query
    period(q)
    reports = deps(call.request).views.reports
    r = await reports.totals(q.start, q.end)
    cur = reports.currency
    days = [
        s.DaySalesOut(day=d.day, orders=d.orders, gross=s.money(d.gross, cur), net=s.money(d.net, cur))
        for d in await reports.trend(q.start, q.end)
    ]
    return Reply(
        200,
        s.SalesReport(
            orders=r.orders,
            gross=s.money(r.gross, cur),
            net=s.money(r.net, cur),
            average_order_value=s.money(r.average_order_value, cur),
            days=days,
        ),
    )


@API.operation(
    "GET",
    "/reports/top-products",
    scope="reports:read",
    summary="Best sellers by units",
    tag="reports",
    query=s.TopQuery,
    responses={200: s.TopProductsReport},
)
async def top_products_report(call: Call) -> Reply:
    q: s.TopQuery = call.query
    period(q)
    d = deps(call.request)
    currency = d.bus.ctx.config.currency
    rows = await d.views.reports.top_products(q.start, q.end, "units", q.limit)
    items = [
        s.TopProductOut(product_id=int(t.key), name=t.label, units=t.orders, revenue=s.money(t.amount, currency))
        for t in rows
    ]
    return Reply(200, s.TopProductsReport(items=items))


@API.operation(
    "GET",
    "/reports/funnel",
    scope="reports:read",
    summary="Customers reaching each step",
    tag="reports",
    query=s.Period,
    responses={200: s.FunnelReport},
)
async def funnel_report(call: Call) -> Reply:
    q: s.Period = call.query
    period(q)
    steps = await deps(call.request).views.reports.funnel(q.start, q.end)  # customers counted per day
    return Reply(200, s.FunnelReport(steps=[s.FunnelStepOut(name=x.key, customers=x.orders) for x in steps]))


@API.operation(
    "GET",
    "/reports/customers",
    scope="reports:read",
    summary="Customers by country, channel or locale",
    tag="reports",
    query=s.CustomersQuery,
    responses={200: s.CustomersReport},
)
async def customers_report(call: Call) -> Reply:
    q: s.CustomersQuery = call.query
    rows = await deps(call.request).views.customers_by(q.by)
    return Reply(
        200, s.CustomersReport(by=q.by, items=[s.BreakdownOut(key=b.key, customers=b.customers) for b in rows])
    )
