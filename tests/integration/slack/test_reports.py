"""``/report`` through signed HTTP into the mounted app, against the fake Slack Web API: the figures a manager
reads and the chart arrive in one message (files upload v2, the figures as the completing call's blocks)."""

from __future__ import annotations

import struct
from datetime import date
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from channels.slack import daily_report_job
from chatshop.runtime import Runtime
from domain import commands as c
from domain.adapters.rollups import refresh_recent_funnel
from tests.integration.slack.conftest import OPERATOR, OPS, SlackShop
from tests.integration.slack.test_approvals import _texts
from tests.support.clock import FakeClock
from tests.support.fake_slack import Call

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def pay(slack: SlackShop, sku: str = "SHOE-RED-42", quantity: int = 1, shopper: str = "web-1") -> int:
    """A paid order for ``quantity`` of ``sku`` (shoes 80.00, mugs 12.00; shipping 5.00 under 100.00)."""
    small = slack.small
    order_id = await small.checkout(await small.customer(shopper), sku=sku, quantity=quantity)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    order = await small.shop.views.order(order_id)
    assert order is not None
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, "USD"))
    await small.shop.outbox.drain()  # the rollups the reports read follow the order's events
    return order_id


async def count_the_funnel(slack: SlackShop) -> None:
    """What the periodic job does: today's funnel counted again from the analytics events written so far."""
    await slack.shop.analytics.flush()
    await refresh_recent_funnel(slack.shop.sessions, slack.shop.clock)


def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_MAGIC)
    width, height = struct.unpack(">II", png[16:24])
    return int(width), int(height)


def field_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [f["text"] for b in blocks if b["type"] == "section" for f in b.get("fields", [])]


async def report_message(slack: SlackShop, text: str) -> Call:
    """Send ``/report <text>`` and wait for the message that carries its chart."""
    await slack.send.command("/report", text, OPERATOR)
    return await slack.fake.wait_for("files.completeUploadExternal")


async def test_report_sales_posts_its_figures_and_its_chart_in_one_message(slack: SlackShop, clock: FakeClock) -> None:
    await pay(slack)  # 85.00 on Monday 2026-11-02 at 12:00, one period before
    clock.advance(days=7)
    await pay(slack, quantity=2)  # 160.00 a week later, by the same shopper
    clock.advance(minutes=30)

    done = await report_message(slack, "sales 7d")

    assert done.args["channel_id"] == OPS
    blocks = done.args["blocks"]
    assert blocks[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Sales, last 7 days (2026-11-03 to 2026-11-09)", "emoji": True},
    }
    fields = field_texts(blocks)
    assert "*Total sales*\n160.00 USD\n_+88% vs the previous 7 days (85.00 USD)_" in fields
    assert "*Orders*\n1\n_same as the previous 7 days (1)_" in fields
    assert "*Average order value*\n160.00 USD\n_+88% vs the previous 7 days (85.00 USD)_" in fields
    assert "*Orders from returning customers*\n100.0%\n_1 of 1 order; 0 new customers; 0.0% before_" in fields
    assert "By channel: Web chat: 160.00 USD (100.0%, 1 order)" in _texts(blocks)
    # The chart is in the same message: one file, uploaded whole, drawn at 2x.
    [uploaded] = done.args["files"]
    assert uploaded["title"] == "Sales per day, last 7 days (USD)"
    url = slack.fake.called("files.getUploadURLExternal")[0]
    assert url.args["filename"] == "sales-7d.png"
    png = slack.fake.uploads[uploaded["id"]]
    assert int(url.args["length"]) == len(png) and png_size(png) == (1600, 900)
    assert not [m for m in slack.fake.called("chat.postMessage") if "Sales" in m.args.get("text", "")]


async def test_report_sales_today_is_compared_with_yesterday_until_the_same_time(
    slack: SlackShop, clock: FakeClock
) -> None:
    await pay(slack)  # Monday 12:00, 85.00
    clock.advance(hours=8)
    await pay(slack, sku="MUG-WHT", shopper="web-2")  # Monday 20:00, 17.00: later in the day than now
    clock.advance(hours=17, minutes=30)
    await pay(slack, shopper="web-3")  # Tuesday 13:30, 85.00
    clock.advance(minutes=35)  # Tuesday 14:05

    done = await report_message(slack, "sales today")

    blocks = done.args["blocks"]
    assert blocks[0]["text"]["text"] == "Sales, today (2026-11-03, until 14:05 UTC)"
    assert "*Total sales*\n85.00 USD\n_same as yesterday until 14:05 (85.00 USD)_" in field_texts(blocks)
    assert done.args["files"][0]["title"] == "Sales per hour, today (USD)"
    # The hours behind the chart, on this database: each order in its UTC hour (the dashboard's hourly rollup).
    assert await slack.ops.views.reports.hourly(date(2026, 11, 2)) == [(12, 1, 8500), (20, 1, 1700)]
    assert await slack.ops.views.reports.hourly(date(2026, 11, 3)) == [(13, 1, 8500)]


async def test_report_top_products_ranks_by_revenue_and_escapes_imported_names(slack: SlackShop) -> None:
    bus = slack.shop.bus
    await bus.handle(
        c.UpsertProduct("<!channel> Mug & Co", (c.VariantSpec("MUG-EVIL", 1200, {}),), ("Home",), actor=c.SYSTEM)
    )
    await bus.handle(c.ReceiveStock("MUG-EVIL", "EAST", 10, actor=c.SYSTEM))
    await pay(slack)  # one pair of shoes: 80.00
    await pay(slack, sku="MUG-EVIL", quantity=3, shopper="web-2")  # three mugs: more units, less revenue

    done = await report_message(slack, "top-products 7d")

    text = _texts(done.args["blocks"])
    assert (
        "1. Stride Running Shoes: 80.00 USD from 1 unit\n2. &lt;!channel&gt; Mug &amp; Co: 36.00 USD from 3 units"
        in text
    )
    assert "<!channel>" not in text
    assert "*Top 2 products*\n116.00 USD\n_92.1% of total sales_" in field_texts(done.args["blocks"])
    assert done.args["files"][0]["title"] == "Top products by revenue, last 7 days (USD)"


async def test_report_funnel_gives_each_steps_conversion_from_the_step_before(slack: SlackShop) -> None:
    customers = [await slack.small.customer(f"web-{i}") for i in range(1, 5)]
    bus = slack.shop.bus
    for i, customer in enumerate(customers):
        await bus.handle(c.RecordAnalytics("message_received", customer_id=customer))
        if i < 3:
            await bus.handle(c.RecordAnalytics("product_viewed", customer_id=customer))
    await bus.handle(c.RecordAnalytics("checkout_started", customer_id=customers[0]))
    await pay(slack, shopper="web-1")  # adds to cart, places and pays
    await count_the_funnel(slack)

    done = await report_message(slack, "funnel 7d")

    text = _texts(done.args["blocks"])
    assert (
        "Wrote to the shop: 4 customers\n"
        "Viewed a product: 3 customers (75.0% of previous step)\n"
        "Added to cart: 1 customer (33.3% of previous step)\n"
        "Started checkout: 1 customer (100.0% of previous step)\n"
        "Placed an order: 1 customer (100.0% of previous step)\n"
        "Paid: 1 customer (100.0% of previous step)"
    ) in text
    assert "*Conversion*\n25.0%\n_1 of 4 who wrote to the shop paid_" in field_texts(done.args["blocks"])
    assert done.args["files"][0]["title"] == "Funnel, last 7 days (customers)"


def _messages(slack: SlackShop) -> list[str]:
    """Each message in the ops channel by its header: posted, or completing an upload."""
    out = []
    for call in slack.fake.calls:
        if call.method == "chat.postMessage" and call.args["channel"] == OPS:
            out.append(call.args["text"].splitlines()[0])
        elif call.method == "files.completeUploadExternal" and call.args.get("channel_id") == OPS:
            out.append(call.args["blocks"][0]["text"]["text"])
    return out


async def test_the_daily_report_posts_the_weeks_sales_with_a_chart_and_its_top_products(slack: SlackShop) -> None:
    await daily_report_job(slack.ops)()
    assert _messages(slack) == ["Sales, last 7 days (2026-10-27 to 2026-11-02)", "*Top products, last 7 days*"]
    assert len(slack.fake.called("files.completeUploadExternal")) == 1  # no sales: no top-products chart
    top = slack.fake.called("chat.postMessage")[0]
    assert "No sales in this period." in _texts(top.args["blocks"])


async def test_the_daily_report_is_scheduled_once_a_day_through_the_runtime(slack: SlackShop) -> None:
    runtime = Runtime(slack.shop)
    runtime.add_daily_job("slack-daily-report", "08:00", daily_report_job(slack.ops))
    job = runtime.scheduler.get_job("slack-daily-report")
    assert job is not None and isinstance(job.trigger, CronTrigger)
    assert {f.name: str(f) for f in job.trigger.fields}["hour"] == "8"
    await job.func()  # what the scheduler runs: once across processes (SlotGuard), then the report
    assert len(_messages(slack)) == 2
    await job.func()  # the same day's slot again: already done
    assert len(_messages(slack)) == 2
