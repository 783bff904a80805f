"""``/healthz`` (the process is alive and answers) and ``/readyz`` (it can serve: database reachable and
at the migrations' head, Redis answering when configured, the outbox keeping up) for orchestrators."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from aiohttp import web

from chatshop.bootstrap import Shop
from domain.adapters.health import current_revisions, head_revisions, outbox_lag_seconds

log = logging.getLogger(__name__)
CHECK_TIMEOUT_SECONDS = 3.0
REDIS_KEY = web.AppKey("readiness_redis", object)


@dataclass
class Check:
    ok: bool
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)


async def _database(shop: Shop) -> Check:
    return Check(await shop.healthy(), "SELECT 1")


async def _migrations(shop: Shop) -> Check:
    current, head = await current_revisions(shop.engine), head_revisions()
    data = {"current": list(current), "head": list(head)}
    if current == head:
        return Check(True, "at head", data)
    return Check(False, "not at the migrations' head: run `chatshop db upgrade`", data)


async def _outbox(shop: Shop) -> Check:
    lag = await outbox_lag_seconds(shop.sessions, shop.clock.now())
    limit = shop.settings.ready_max_outbox_lag_seconds
    data = {"lag_seconds": round(lag, 3), "max_lag_seconds": limit}
    if lag <= limit:
        return Check(True, "keeping up", data)
    return Check(False, "the oldest due event waited too long: see `chatshop outbox status`", data)


async def _redis(client: Any) -> Check:
    return Check(bool(await client.ping()), "PING")


async def _timed(name: str, check: Any) -> tuple[str, Check]:
    started = time.perf_counter()
    try:
        result: Check = await asyncio.wait_for(check, CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        result = Check(False, f"no answer within {CHECK_TIMEOUT_SECONDS:g} s")
    except Exception as exc:  # a readiness check reports what failed, it does not crash the server
        log.warning("readiness check %s failed: %s", name, exc)
        result = Check(False, f"{type(exc).__name__}: {exc}")
    result.data["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return name, result


async def readiness(shop: Shop, redis: Any | None) -> dict[str, Check]:
    results = dict([await _timed("database", _database(shop))])
    if results["database"].ok:  # without a database the next two would only repeat its error
        results.update([await _timed("migrations", _migrations(shop)), await _timed("outbox", _outbox(shop))])
    if redis is not None:
        results.update([await _timed("redis", _redis(redis))])
    return results


def setup(app: web.Application, shop: Shop) -> None:
    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(request: web.Request) -> web.Response:
        results = await readiness(shop, app.get(REDIS_KEY))
        ready = all(check.ok for check in results.values())
        body = {"status": "ready" if ready else "unavailable", "checks": {k: asdict(v) for k, v in results.items()}}
        return web.json_response(body, status=200 if ready else 503)

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    if shop.settings.redis_url:
        from redis.asyncio import Redis

        app[REDIS_KEY] = Redis.from_url(shop.settings.redis_url, socket_timeout=CHECK_TIMEOUT_SECONDS)

        async def close_redis(app: web.Application) -> None:
            await app[REDIS_KEY].aclose()  # type: ignore[attr-defined]

        app.on_cleanup.append(close_redis)
