"""Post a report to Slack: its figures as a message, its chart as a PNG through the files upload v2 API."""

from __future__ import annotations

import asyncio

from bots.ops import reports
from bots.ops.charts import render_png
from channels.slack.blocks import report_message
from channels.slack.context import SlackOps


async def post_report(ops: SlackOps, channel: str, kind: str, period: str, thread_ts: str | None = None) -> None:
    report = await reports.build(ops.views, kind, period, ops.today(), ops.config.currency)
    await ops.client.chat_postMessage(
        channel=channel, text=report.text, blocks=report_message(report), thread_ts=thread_ts
    )
    if report.chart is None:
        return
    # matplotlib is CPU work: keep it off the event loop.
    png = await asyncio.to_thread(render_png, report.chart)
    # files_upload_v2: files.getUploadURLExternal → POST the bytes → files.completeUploadExternal.
    await ops.client.files_upload_v2(
        channel=channel,
        content=png,
        filename=f"{kind}-{period}.png",
        title=report.chart.title,
        alt_txt=report.title,
        thread_ts=thread_ts,
    )


async def daily_report(ops: SlackOps) -> None:
    """The scheduled morning report: yesterday-and-today sales, top products of the week."""
    channel = ops.config.ops_channel
    if not channel:
        return
    await post_report(ops, channel, "sales", "7d")
    await post_report(ops, channel, "top-products", "7d")
