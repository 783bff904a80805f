"""The Slack ops bot: a Bolt ``AsyncApp`` mounted on the shop's aiohttp server at ``/slack/events``.

Every request is signed: the signature and timestamp are checked on the raw bytes before anything parses
them (a bad, stale or malformed one is a 401), then the body is parsed (garbage is a 400, never a 500);
Bolt checks the signature once more on the parsed request.
Listeners ack first and work after (``process_before_response=False``: Bolt answers Slack as soon as
``ack()`` is called and finishes the listener in the background), so Slack always hears back within 3 s.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from channels.slack.config import SlackConfig, SlackSettingsLike
from channels.slack.context import (
    OPS_KEY,
    RESPONSE_URL,
    SeenEvents,
    SlackOps,
    told_failure,
)
from channels.slack.listeners import campaigns, register_all
from channels.slack.registry import MessageRegistry
from channels.slack.reporting import daily_report
from domain.observability import metrics
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


def _response_url(body: Any) -> str | None:
    """A command's or a click's ``response_url``; a modal's, when it has a conversation select to give one."""
    if not isinstance(body, dict):
        return None
    url = body.get("response_url") or next(
        (u.get("response_url") for u in body.get("response_urls") or [] if isinstance(u, dict)), None
    )
    return str(url) if url else None


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
        ops.bot_user_id = ops.bot_user_id or context.bot_user_id
        RESPONSE_URL.set(_response_url(req.body))  # always set: a task may be reused for the next request
        return await next()

    async def unhandled(error: Exception, body: dict[str, Any], context: AsyncBoltContext) -> None:
        """Whatever ``answered`` did not catch (a middleware, a listener registered without it)."""
        await told_failure(context, body, error)

    app.middleware(dedupe_and_inject)
    app.error(unhandled)
    register_all(app)
    campaigns.register(app)
    return app


MAX_TIMESTAMP_DIGITS = 12  # seconds since 1970 for the next 30,000 years; longer is not a timestamp


def signed(secret: str, raw: bytes, timestamp: str | None, signature: str | None) -> bool:
    """Slack's signature (HMAC-SHA256 of ``v0:{timestamp}:{body}``) and a timestamp within five minutes,
    on the bytes as received. A header that is not a plain number is simply not valid."""
    if not timestamp or not signature or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return False
    if not (timestamp.isascii() and timestamp.isdigit()):
        return False
    try:
        return SignatureVerifier(secret).is_valid(raw.decode("utf-8"), timestamp, signature)
    except (UnicodeDecodeError, ValueError):
        return False


def _bad(status: int, text: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain")


async def _handle(request: web.Request) -> web.Response:
    bolt, ops = request.app[BOLT_KEY], request.app[SLACK_OPS_KEY]
    started = time.perf_counter()
    raw = await request.read()
    headers = request.headers
    if not signed(
        ops.config.signing_secret, raw, headers.get("X-Slack-Request-Timestamp"), headers.get("X-Slack-Signature")
    ):
        return _bad(401, "invalid request signature")
    try:
        bolt_request = AsyncBoltRequest(
            body=raw.decode("utf-8"),
            query=request.query_string,
            headers=headers,  # type: ignore[arg-type]
        )
    except Exception:  # signed by Slack's secret, yet not a body Slack sends: a client bug, not ours
        log.warning("a signed Slack request with an unreadable body (%d bytes)", len(raw))
        return _bad(400, "unreadable request body")
    if not isinstance(bolt_request.body, dict) or not bolt_request.body:
        return _bad(400, "unreadable request body")
    response = await bolt.async_dispatch(bolt_request)  # returns at ack(); the listener goes on after
    metrics().slack_ack(time.perf_counter() - started)
    return await to_aiohttp_response(response)


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
    settings: SlackSettingsLike,
    clock: Clock,
) -> SlackOps:
    """Mount ``/slack/events`` and start Socket Mode if configured (what it posts on outbox events is
    subscribed by chatshop/subscribers/channels.py).

    Returns the ops handle; ``daily_report_job(ops)`` is what to schedule at ``slack_daily_report_at``.
    """
    config = SlackConfig.from_settings(settings)
    client = web_client(config)
    ops = SlackOps(bus, views, clock, config, client, MessageRegistry(client))
    bolt = build_bolt_app(ops)
    app[SLACK_OPS_KEY], app[BOLT_KEY] = ops, bolt
    app.router.add_post(PATH, _handle)
    if config.app_token:
        _socket_mode(app, bolt, config.app_token)
    return ops


def daily_report_job(ops: SlackOps) -> Callable[[], Awaitable[Any]]:
    async def run() -> None:
        await daily_report(ops)

    return run
