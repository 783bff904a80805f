"""Post a report to Slack: its figures and its charts in one message.

The PNGs go up through the files upload v2 API (files.getUploadURLExternal → POST the bytes →
files.completeUploadExternal), and the completing call carries the figures as the message's blocks, so the
numbers and the picture arrive together, not as two messages that other posts can come between.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bots.ops import reports
from bots.ops.charts import render_png
from channels.slack.blocks import Block, context, esc, header, mrkdwn, section
from channels.slack.context import SlackOps

FIELDS_PER_SECTION = 10  # Block Kit's limit


def report_blocks(report: reports.Report) -> list[Block]:
    """Figures as section fields, list items below, the small print last. Everything escaped for mrkdwn:
    product names are imported text."""
    blocks: list[Block] = [header(report.title)]
    fields = [
        mrkdwn(f"*{esc(f.label)}*\n{esc(f.value)}" + (f"\n_{esc(f.detail)}_" if f.detail else ""))
        for f in report.figures
    ]
    for i in range(0, len(fields), FIELDS_PER_SECTION):
        blocks.append({"type": "section", "fields": fields[i : i + FIELDS_PER_SECTION]})
    if report.lines:
        blocks.append(section("\n".join(esc(line) for line in report.lines)))
    if report.note:
        blocks.append(context(esc(report.note)))
    return blocks


def render_all(charts: tuple[reports.Chart, ...]) -> list[bytes]:
    return [render_png(chart) for chart in charts]


async def post_report(ops: SlackOps, channel: str, kind: str, period: str, thread_ts: str | None = None) -> None:
    report = await reports.build(ops.views.reports, kind, period, ops.now())
    blocks = report_blocks(report)
    if not report.charts:
        await ops.client.chat_postMessage(channel=channel, text=report.text, blocks=blocks, thread_ts=thread_ts)
        return
    # matplotlib is CPU work: keep it off the event loop.
    pngs = await asyncio.to_thread(render_all, report.charts)
    uploads: list[dict[str, Any]] = [
        {
            "content": png,
            "filename": f"{report.slug}.png" if len(pngs) == 1 else f"{report.slug}-{i}.png",
            "title": chart.title,
            "alt_txt": f"{chart.title}: {chart.subtitle}"[:1000],
        }
        for i, (png, chart) in enumerate(zip(pngs, report.charts, strict=True), 1)
    ]
    await ops.client.files_upload_v2(
        channel=channel, file_uploads=uploads, blocks=json.dumps(blocks), thread_ts=thread_ts
    )


async def daily_report(ops: SlackOps) -> None:
    """The scheduled morning report: sales of the last 7 days, top products of the week."""
    channel = ops.config.ops_channel
    if not channel:
        return
    await post_report(ops, channel, "sales", "7d")
    await post_report(ops, channel, "top-products", "7d")
