"""``GET /metrics`` (Prometheus text format): where it is served and who may read it.

- ``CHATSHOP_METRICS_PORT`` set: on a listener of its own at ``CHATSHOP_METRICS_HOST`` (127.0.0.1 unless
  told), reachable by the scraper and not by shoppers; the shop's own port has no ``/metrics``.
- else ``CHATSHOP_METRICS_TOKEN`` set: on the shop's port, for requests with ``Authorization: Bearer <token>``.
- else, when the shop is not public (loopback host, no public URL): on the shop's port, open (``make run``).
- else: not served, and the log says which setting to add. Metrics show order volume and error rates:
  nothing a stranger should read.
A token, when set, is asked for on the metrics port as well.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from chatshop.bootstrap import Shop
from chatshop.metrics import PrometheusMetrics
from chatshop.settings import Settings, _loopback_host, _loopback_url

log = logging.getLogger(__name__)
PATH = "/metrics"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # what every Prometheus version reads


@dataclass(frozen=True)
class Placement:
    on_shop_port: bool
    own_port: int | None
    token: str | None


def placement(settings: Settings) -> Placement:
    token = settings.metrics_token.get_secret_value() if settings.metrics_token is not None else None
    token = token or None
    if settings.metrics_port is not None:
        return Placement(False, settings.metrics_port, token)
    public = not _loopback_host(settings.http_host) or bool(
        settings.public_url and not _loopback_url(settings.public_url)
    )
    return Placement(token is not None or not public, None, token)


Handler = Callable[[web.Request], Awaitable[web.Response]]


def metrics_handler(shop: Shop, recorder: PrometheusMetrics, token: str | None) -> Handler:
    async def handle(request: web.Request) -> web.Response:
        if token is not None:
            scheme, _, given = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                return web.Response(
                    status=401, text="a bearer token is needed", headers={"WWW-Authenticate": 'Bearer realm="metrics"'}
                )
        try:
            await recorder.refresh(shop.sessions, shop.clock.now())
        except Exception as exc:  # the rest of the metrics still tell something; the gauges keep their last value
            log.warning("metrics: the outbox backlog could not be read: %s", exc)
        return web.Response(body=recorder.exposition(), headers={"Content-Type": CONTENT_TYPE})

    return handle


def mount_metrics(app: web.Application, shop: Shop, recorder: PrometheusMetrics) -> web.Application | None:
    """Add ``/metrics`` to the shop's app, or return the app of its own port to serve; None: neither."""
    where = placement(shop.settings)
    recorder.watch_pool(shop.engine.pool)
    handler = metrics_handler(shop, recorder, where.token)
    if where.own_port is not None:
        own = web.Application()
        own.router.add_get(PATH, handler)
        return own
    if where.on_shop_port:
        app.router.add_get(PATH, handler)
    else:
        log.warning(
            "/metrics is not served: the shop is public. Set CHATSHOP_METRICS_PORT (a port only the scraper "
            "reaches) or CHATSHOP_METRICS_TOKEN (a bearer token for /metrics on the shop's port)."
        )
    return None
