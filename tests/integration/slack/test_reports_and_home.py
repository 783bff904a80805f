"""/report's usage and upload retries; App Home. (Report contents, charts and the daily job: test_reports.py.)"""

from __future__ import annotations

from tests.integration.slack.conftest import APPROVER, OPERATOR, STRANGER, SlackShop, paid_order
from tests.integration.slack.test_approvals import _texts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


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


async def test_app_home_shows_todays_sales_waiting_orders_and_low_stock(slack: SlackShop) -> None:
    order_id = await paid_order(slack.small, quantity=2)  # waits for approval
    await slack.shop.outbox.drain()
    await slack.send.event({"type": "app_home_opened", "user": APPROVER, "channel": "D0HOME", "tab": "home"})
    published = await slack.fake.wait_for("views.publish")
    assert published.args["user_id"] == APPROVER
    text = _texts(published.args["view"]["blocks"])
    assert "Orders: *1* · Gross: *160.00 USD*" in text
    assert f"Order #{order_id}, 160.00 USD: total 160.00 USD is above 100.00 USD" in text
    assert (
        "Stride Running Shoes color blue, size 42 (SHOE-BLU-42): *2* available (threshold 5) · WEST 2 on hand" in text
    )


async def test_app_home_for_a_stranger_says_they_are_not_staff(slack: SlackShop) -> None:
    await slack.send.event({"type": "app_home_opened", "user": STRANGER, "channel": "D0HOME", "tab": "home"})
    published = await slack.fake.wait_for("views.publish")
    assert "not set up as shop staff" in _texts(published.args["view"]["blocks"])
