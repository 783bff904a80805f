"""``chatshop run``: the aiohttp server with the runtime started and stopped around it."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from channels.webchat.server import going_away as webchat_going_away
from chatshop.app import channel_mounts
from chatshop.bootstrap import Shop, build_shop
from chatshop.metrics import PrometheusMetrics
from chatshop.metrics_http import mount_metrics
from chatshop.runtime import Runtime
from chatshop.settings import Settings
from chatshop.web import create_app
from chatshop.webhooks import add_webhooks
from domain.observability import use_metrics

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


def add_scores(runtime: Runtime, shop: Shop, settings: Settings) -> None:
    """Churn risk and expected value per customer, refreshed nightly (once across processes)."""
    if not settings.scores_nightly_at:
        return
    from chatshop.cli_scores import score_now

    runtime.add_daily_job("customer-scores", settings.scores_nightly_at, lambda: score_now(shop))


def add_forecasts(runtime: Runtime, shop: Shop, settings: Settings) -> None:
    """The nightly demand forecast and the weekly reorder suggestions post (each once across processes), when
    a time is set."""
    from chatshop.cli_forecast import forecast_all, weekly_suggestions_job

    if settings.forecast_at:
        runtime.add_daily_job("demand-forecast", settings.forecast_at, lambda: forecast_all(shop))
    if settings.reorder_post_at:
        runtime.add_daily_job("reorder-suggestions", settings.reorder_post_at, weekly_suggestions_job(shop))


def add_campaigns(app: web.Application, runtime: Runtime, shop: Shop, settings: Settings) -> None:
    """Campaign schedules and sending, attribution of orders, back-in-stock notices, and the e-mail
    unsubscribe/click links."""
    from bots.campaigns.links import LinkSigner
    from channels.email import links
    from chatshop.cli_campaign import (
        register_campaign_jobs,
        subscribe_attribution,
        subscribe_back_in_stock,
        subscribe_campaign_tests,
    )

    subscribe_campaign_tests(shop, register_campaign_jobs(runtime))
    subscribe_attribution(shop)
    subscribe_back_in_stock(shop)
    links.mount(app, shop.bus, LinkSigner(settings.secret_key.get_secret_value(), settings.base_url))


def check_subscribers(shop: Shop) -> None:
    """Refuse to start with an outbox subscriber chatshop/subscribers does not list (or lists otherwise)."""
    from chatshop.subscribers.registry import unregistered

    problems = unregistered(shop.outbox.subscriptions)
    if problems:
        raise RuntimeError("outbox subscribers differ from chatshop/subscribers: " + "; ".join(problems))


async def start_metrics(app: web.Application, shop: Shop) -> web.AppRunner | None:
    """Prometheus metrics for this process: on the shop's app, or on a port of their own (returned to stop)."""
    recorder = PrometheusMetrics()
    use_metrics(recorder)
    own = mount_metrics(app, shop, recorder)
    if own is None:
        return None
    runner = web.AppRunner(own, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, shop.settings.metrics_host, shop.settings.metrics_port).start()
    log.info("metrics on http://%s:%s/metrics", shop.settings.metrics_host, shop.settings.metrics_port)
    return runner


async def serve(settings: Settings, host: str, port: int) -> None:
    shop = build_shop(settings)
    runtime = Runtime(shop, settings.outbox_poll_seconds)
    app = create_app(shop, channel_mounts(settings))
    add_scheduled_reports(app, runtime, settings)
    add_campaigns(app, runtime, shop, settings)
    add_forecasts(runtime, shop, settings)
    add_webhooks(runtime, shop)
    add_scores(runtime, shop, settings)
    check_subscribers(shop)
    metrics_runner = await start_metrics(app, shop)
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
        # Stop listening first, then tell the open web chats we are restarting: their widgets reconnect to
        # another process behind the same address (or to this shop once it is back) and resume from the
        # history, while this process finishes what it started.
        await site.stop()
        await webchat_going_away(app)
        await runtime.stop()
        await runner.cleanup()
        if metrics_runner is not None:
            await metrics_runner.cleanup()
        await shop.close()
