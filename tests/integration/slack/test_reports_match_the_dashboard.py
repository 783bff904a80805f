"""Slack's ``/report`` and the /admin dashboard give the same figures for the same period: both read the rollups
the outbox keeps, with one definition of revenue, orders, average order value, returning orders and the funnel.

A week of orders goes through the real commands (a returning customer, a partial refund, a cancelled paid order,
a customer who writes to the shop on two days); the outbox delivers; then the report is asked for in Slack and
the dashboard is read in the console, as a manager would compare them."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import aiohttp
import pytest

from chatshop.console_wiring import mount_console
from chatshop.web import create_app
from domain import commands as c
from domain.adapters.rollups import refresh_recent_funnel
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.model.staff import Role
from tests.integration.api.conftest import serve
from tests.integration.console.conftest import PASSWORD, Console
from tests.integration.slack.conftest import OPERATOR, SlackShop
from tests.integration.slack.test_approvals import _texts
from tests.integration.slack.test_reports import field_texts, pay, report_message
from tests.support.clock import FakeClock

KPI = re.compile(r'<div class="label">(.*?)</div><div class="value">(.*?)</div>')


@pytest.fixture
async def console(slack: SlackShop, tmp_path: Path) -> AsyncIterator[Console]:
    """The staff console over the same shop, with an operator who reads English."""
    shop = slack.shop
    staff_id = int(await shop.bus.handle(c.AddStaff("rita", Role.OPERATOR, actor=c.SYSTEM)))
    await SqlStaffAccessStore(shop.sessions, shop.clock).set_password(staff_id, PASSWORD, "en")
    app = create_app(shop, [], media_dir=tmp_path / "console-media")
    mount_console(app, shop)
    runner, base = await serve(app)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        yield Console(base, http)
    await runner.cleanup()


async def wrote(slack: SlackShop, shopper: str) -> None:
    customer = await slack.small.customer(shopper)
    await slack.shop.bus.handle(c.RecordAnalytics("message_received", customer_id=customer))


async def settle(slack: SlackShop) -> None:
    """The outbox delivers (the rollups follow the orders) and the periodic job counts the day's funnel again."""
    shop = slack.shop
    await shop.outbox.drain()
    await shop.analytics.flush()
    await refresh_recent_funnel(shop.sessions, shop.clock)


async def a_week_of_orders(slack: SlackShop, clock: FakeClock) -> None:
    """From Monday 2026-11-02 12:00 to Tuesday 2026-11-10 15:30; the report's 7 days are Nov 4 to Nov 10."""
    shop = slack.shop
    await pay(slack)  # Nov 2: web-1's first order (85.00), in the period before
    await settle(slack)
    clock.advance(days=2)
    await wrote(slack, "web-1")
    await pay(slack, sku="MUG-WHT", quantity=2, shopper="web-2")  # Nov 4: 29.00, web-2's first
    await settle(slack)
    clock.advance(days=1, hours=3)
    refunded = await pay(slack, shopper="web-1")  # Nov 5: web-1 again, 85.00
    await shop.bus.refund(c.RefundOrder(refunded, 500, "scuffed box", actor=c.SYSTEM))
    await settle(slack)
    clock.advance(days=2)
    cancelled = await pay(slack, sku="MUG-WHT", quantity=3, shopper="web-3")  # Nov 7: 41.00, web-3's first
    await shop.bus.handle(c.CancelOrder(cancelled, "changed mind", actor=c.SYSTEM))
    await settle(slack)
    clock.advance(days=2)
    await pay(slack, shopper="web-2")  # Nov 9: web-2 again, 85.00
    await settle(slack)
    clock.advance(days=1, minutes=30)
    await wrote(slack, "web-1")  # Nov 10 15:30: web-1 writes on a second day
    await settle(slack)


async def dashboard(console: Console, days: int) -> tuple[dict[str, str], dict[str, list[list[str]]]]:
    """The dashboard's figures by label and each chart's CSV rows (without the header)."""
    await console.sign_in("rita")
    status, page = await console.get(f"/dashboard?days={days}")
    assert status == 200, page
    kpis = {html.unescape(label): html.unescape(value) for label, value in KPI.findall(page)}
    charts = {}
    for chart in ("trend", "products", "funnel"):
        async with console.http.get(console.url(f"/dashboard/{chart}.csv?days={days}")) as resp:
            assert resp.status == 200
            charts[chart] = list(csv.reader(io.StringIO(await resp.text())))[1:]
    return kpis, charts


def figures(blocks: list[dict[str, object]]) -> dict[str, str]:
    """Each report figure's value by its label."""
    return {text.split("\n")[0].strip("*"): text.split("\n")[1] for text in field_texts(blocks)}  # type: ignore[arg-type]


async def test_slack_sales_report_for_7_days_gives_the_dashboards_totals_for_the_same_7_days(
    slack: SlackShop, clock: FakeClock, console: Console
) -> None:
    await a_week_of_orders(slack, clock)
    kpis, charts = await dashboard(console, 7)

    done = await report_message(slack, "sales 7d")

    report = figures(done.args["blocks"])
    assert report["Total sales"] == kpis["Revenue"] == "240.00 USD"  # 29 + 85 + 41 (cancelled after payment) + 85
    assert report["Orders"] == kpis["Orders"] == "4"
    assert report["Average order value"] == kpis["Average order value"]
    assert report["Net of refunds"] == kpis["Net revenue"]
    week = [row for row in charts["trend"] if date.fromisoformat(row[0]) >= clock.now().date() - timedelta(days=6)]
    assert sum(int(row[2]) for row in week) == 24_000 and sum(int(row[1]) for row in week) == 4
    # The dashboard counts orders from returning customers (web-1 on Nov 5, web-2 on Nov 9): so does the report.
    assert kpis["Orders from returning customers"] == "2"
    assert report["Orders from returning customers"] == "50.0%"
    assert "2 of 4 orders; 2 new customers" in _texts(done.args["blocks"])


async def test_slack_top_products_and_funnel_agree_with_the_dashboard(
    slack: SlackShop, clock: FakeClock, console: Console
) -> None:
    await a_week_of_orders(slack, clock)
    _, charts = await dashboard(console, 7)

    top = await report_message(slack, "top-products 7d")
    lines = [line for line in _texts(top.args["blocks"]).split("\n") if re.match(r"\d+\. ", line)]
    assert lines == [
        f"{i}. {name}: {int(revenue) // 100:,}.{int(revenue) % 100:02d} USD from {units} unit"
        + ("" if units == "1" else "s")
        for i, (name, units, revenue) in enumerate(charts["products"], 1)
    ]
    assert lines == [
        "1. Stride Running Shoes: 160.00 USD from 2 units",
        "2. Hearth Ceramic Mug: 60.00 USD from 5 units",
    ]

    await slack.send.command("/report", "funnel 7d", OPERATOR)
    funnel = await slack.fake.wait_for("files.completeUploadExternal", lambda a: "Funnel" in str(a["blocks"]))
    steps = {name: int(count) for name, count, _ in charts["funnel"]}
    text = _texts(funnel.args["blocks"])
    # web-1 wrote on Nov 4 and on Nov 10: the dashboard's funnel counts a customer once per day.
    assert steps["message_received"] == 2
    assert f"Wrote to the shop: {steps['message_received']} customers" in text
    assert f"Paid: {steps['order_paid']} customers" in text
