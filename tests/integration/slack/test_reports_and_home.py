"""/report posts figures and a PNG chart through files upload v2; the daily job does the same; App Home."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

from channels.slack import daily_report_job
from chatshop.runtime import Runtime
from tests.integration.slack.conftest import APPROVER, OPERATOR, OPS, STRANGER, SlackShop, paid_order
from tests.integration.slack.test_approvals import _texts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def test_a_sales_report_posts_its_figures_and_uploads_a_png_chart(slack: SlackShop) -> None:
    await paid_order(slack.small, quantity=1)  # 80.00 paid today
    await slack.send.command("/report", "sales 7d", OPERATOR)
    posted = await slack.fake.wait_for("chat.postMessage", lambda a: a["channel"] == OPS)
    text = _texts(posted.args["blocks"])
    assert "Sales, last 7 days (2026-10-27 to 2026-11-02)" in text
    assert "Orders: 1" in text and "Gross: 85.00 USD" in text and "Average order: 85.00 USD" in text
    url = await slack.fake.wait_for("files.getUploadURLExternal")
    assert url.args["filename"] == "sales-7d.png"
    done = await slack.fake.wait_for("files.completeUploadExternal")
    assert done.args["channel_id"] == OPS
    [uploaded] = done.args["files"]
    data = slack.fake.uploads[uploaded["id"]]
    assert data.startswith(PNG_MAGIC) and int(url.args["length"]) == len(data)
    assert uploaded["title"] == "Gross sales, last 7 days (USD)"


async def test_top_products_and_funnel_reports_are_posted(slack: SlackShop) -> None:
    await paid_order(slack.small, quantity=1)
    await slack.send.command("/report", "top-products 7d", OPERATOR)
    top = await slack.fake.wait_for("chat.postMessage", lambda a: "Top products" in a["text"])
    assert "1. Stride Running Shoes: 1 units, 80.00 USD" in top.args["text"]
    await slack.send.command("/report", "funnel 30d", OPERATOR)
    funnel = await slack.fake.wait_for("chat.postMessage", lambda a: "Funnel" in a["text"])
    assert "order paid:" in funnel.args["text"]
    await slack.fake.wait_for(
        "files.completeUploadExternal", lambda a: a["files"][0]["title"] == "Funnel, last 30 days"
    )


async def test_an_unknown_report_or_period_gets_the_usage(slack: SlackShop) -> None:
    await slack.send.command("/report", "sales yesterday-ish", OPERATOR)
    call = await slack.fake.wait_for("chat.postEphemeral")
    assert "Unknown period 'yesterday-ish'" in call.args["text"] and "/report sales today|7d|30d" in call.args["text"]


async def test_a_rate_limited_upload_waits_for_retry_after_and_succeeds(slack: SlackShop) -> None:
    slack.fake.rate_limit("files.getUploadURLExternal", times=1, retry_after=1)
    await slack.send.command("/report", "sales today", OPERATOR)
    done = await slack.fake.wait_for("files.completeUploadExternal")
    assert len(slack.fake.called("files.getUploadURLExternal")) == 1  # the 429 was not recorded as served
    assert slack.fake.uploads[done.args["files"][0]["id"]].startswith(PNG_MAGIC)


async def test_the_daily_report_job_posts_sales_and_top_products_to_the_ops_channel(slack: SlackShop) -> None:
    await daily_report_job(slack.ops)()
    titles = [c.args["text"].splitlines()[0] for c in slack.fake.called("chat.postMessage")]
    assert titles == ["*Sales, last 7 days (2026-10-27 to 2026-11-02)*", "*Top products, last 7 days*"]
    assert len(slack.fake.called("files.completeUploadExternal")) == 1  # no sales: no top-products chart


async def test_app_home_shows_todays_sales_waiting_orders_and_low_stock(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=2)  # waits for approval
    await slack.shop.outbox.drain()
    await slack.send.event({"type": "app_home_opened", "user": APPROVER, "channel": "D0HOME", "tab": "home"})
    published = await slack.fake.wait_for("views.publish")
    assert published.args["user_id"] == APPROVER
    text = _texts(published.args["view"]["blocks"])
    assert "Orders: *1* · Gross: *160.00 USD*" in text
    assert f"Order #{order_id}, 160.00 USD: total 160.00 USD is above 100.00 USD" in text
    assert "Stride Running Shoes color blue, size 42 (SHOE-BLU-42): 2 available (threshold 5)" in text


async def test_app_home_for_a_stranger_says_they_are_not_staff(slack: SlackShop) -> None:
    await slack.send.event({"type": "app_home_opened", "user": STRANGER, "channel": "D0HOME", "tab": "home"})
    published = await slack.fake.wait_for("views.publish")
    assert "not set up as shop staff" in _texts(published.args["view"]["blocks"])


async def test_the_daily_report_is_scheduled_through_the_runtime_at_the_configured_time(slack: SlackShop) -> None:
    # The lines chatshop/server.py runs after create_app (given to the lead with this work).
    runtime = Runtime(slack.shop)
    runtime.add_daily_job("slack-daily-report", "08:00", daily_report_job(slack.ops))
    job = runtime.scheduler.get_job("slack-daily-report")
    assert job is not None and isinstance(job.trigger, CronTrigger)
    assert {f.name: str(f) for f in job.trigger.fields}["hour"] == "8"
    await job.func()  # what the scheduler runs: once across processes (SlotGuard), then the report
    assert len(slack.fake.called("chat.postMessage")) == 2
    await job.func()  # the same day's slot again: already done
    assert len(slack.fake.called("chat.postMessage")) == 2
