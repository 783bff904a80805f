"""``chatshop run``: the aiohttp server with the runtime started and stopped around it."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from chatshop.app import channel_mounts
from chatshop.bootstrap import build_shop
from chatshop.runtime import Runtime
from chatshop.settings import Settings
from chatshop.web import create_app

log = logging.getLogger(__name__)


def add_scheduled_reports(app: web.Application, runtime: Runtime, settings: Settings) -> None:
    """The daily sales report to Slack, when Slack is mounted and a time is set (once across processes)."""
    if not settings.slack_daily_report_at:
        return
    from channels.slack import SLACK_OPS_KEY, daily_report_job

    if SLACK_OPS_KEY in app:
        runtime.add_daily_job(
            "slack-daily-report", settings.slack_daily_report_at, daily_report_job(app[SLACK_OPS_KEY])
        )


async def serve(settings: Settings, host: str, port: int) -> None:
    shop = build_shop(settings)
    runtime = Runtime(shop)
    app = create_app(shop, channel_mounts(settings))
    add_scheduled_reports(app, runtime, settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    await runtime.start()
    log.info("chatshop is serving on http://%s:%d (health: /healthz)", host, port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await runtime.stop()
        await runner.cleanup()
        await shop.close()
