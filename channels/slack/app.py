"""The Slack ops bot: a Bolt ``AsyncApp`` mounted on the shop's aiohttp server at ``/slack/events``.

Every request is signed (Bolt's request verification: a bad or stale signature is a 401 and nothing runs).
Listeners ack first and work after (``process_before_response=False``: Bolt answers Slack as soon as
``ack()`` is called and finishes the listener in the background), so Slack always hears back within 3 s.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from channels.slack.config import SlackConfig, SlackSettingsLike
from channels.slack.context import OPS_KEY, SeenEvents, SlackOps
from channels.slack.listeners import campaigns, register_all
from channels.slack.notifier import Subscribe, subscribe_all
from channels.slack.registry import MessageRegistry
from channels.slack.reporting import daily_report
from domain.ports import Clock
from domain.service_layer.messagebus import MessageBus
from domain.views.port import ShopViews

log = logging.getLogger(__name__)
PATH = "/slack/events"
SLACK_OPS_KEY = web.AppKey("slack_ops", SlackOps)
BOLT_KEY = web.AppKey("slack_bolt", AsyncApp)


def web_client(config: SlackConfig) -> AsyncWebClient:
    client = AsyncWebClient(token=config.bot_token, base_url=config.api_url)
    # Slack answers 429 with Retry-After when we post too fast; wait and retry rather than drop the message.
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def build_bolt_app(ops: SlackOps) -> AsyncApp:
    app = AsyncApp(
        signing_secret=ops.config.signing_secret,
        client=ops.client,  # its token is the bot token; its base_url may point at a fake Slack in tests
        process_before_response=False,
        logger=logging.getLogger("chatshop.slack.bolt"),
    )
    seen = SeenEvents()

    async def dedupe_and_inject(
        req: AsyncBoltRequest, context: AsyncBoltContext, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse:
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if event_id and not seen.first_time(str(event_id)):
            retry = req.headers.get("x-slack-retry-num", ["?"])[0]
            log.info("ignoring redelivered Slack event %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        context[OPS_KEY] = ops
        return await next()

    app.middleware(dedupe_and_inject)
    register_all(app)
    campaigns.register(app)
    return app


async def _handle(request: web.Request) -> web.Response:
    bolt = request.app[BOLT_KEY]
    return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))


def _socket_mode(app: web.Application, bolt: AsyncApp, app_token: str) -> None:
    """Socket Mode: Slack pushes requests over a WebSocket we open, so no public URL is needed."""
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    handler = AsyncSocketModeHandler(bolt, app_token)

    async def connect(_: web.Application) -> None:
        await handler.connect_async()  # type: ignore[no-untyped-call]

    async def close(_: web.Application) -> None:
        await handler.close_async()  # type: ignore[no-untyped-call]

    app.on_startup.append(connect)
    app.on_cleanup.append(close)


def setup(
    app: web.Application,
    *,
    bus: MessageBus,
    views: ShopViews,
    subscribe: Subscribe,
    settings: SlackSettingsLike,
    clock: Clock,
) -> SlackOps:
    """Mount ``/slack/events``, subscribe to the outbox events Slack posts, and start Socket Mode if configured.

    Returns the ops handle; ``daily_report_job(ops)`` is what to schedule at ``slack_daily_report_at``.
    """
    config = SlackConfig.from_settings(settings)
    client = web_client(config)
    ops = SlackOps(bus, views, clock, config, client, MessageRegistry(client))
    bolt = build_bolt_app(ops)
    app[SLACK_OPS_KEY], app[BOLT_KEY] = ops, bolt
    app.router.add_post(PATH, _handle)
    subscribe_all(ops, subscribe)
    if config.app_token:
        _socket_mode(app, bolt, config.app_token)
    return ops


def daily_report_job(ops: SlackOps) -> Callable[[], Awaitable[Any]]:
    async def run() -> None:
        await daily_report(ops)

    return run
