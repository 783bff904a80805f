"""/healthz says the process answers; /readyz says whether it can serve, check by check, over real HTTP."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from chatshop.web import create_app
from domain.adapters.health import head_revisions
from domain.adapters.migrate import upgrade_async
from tests.support.clock import FakeClock
from tests.support.services import redis_url
from tests.support.shopdata import SmallShop

Served = Callable[[Shop], AbstractAsyncContextManager[str]]


@pytest.fixture
def serve(tmp_path: Path) -> Served:
    @asynccontextmanager
    async def serving(shop: Shop) -> AsyncIterator[str]:
        runner = web.AppRunner(create_app(shop, [], media_dir=tmp_path / "media"))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            await runner.cleanup()

    return serving


async def get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.json()


def settings(url: str, **kw: Any) -> Settings:
    return Settings(database_url=url, _env_file=None, **kw)  # type: ignore[call-arg]


async def test_a_migrated_shop_is_alive_and_ready_on_both_databases(shop: Shop, serve: Served) -> None:
    async with serve(shop) as url:
        assert await get(f"{url}/healthz") == (200, {"status": "ok"})
        status, body = await get(f"{url}/readyz")
    assert status == 200 and body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "outbox"}
    assert body["checks"]["migrations"]["data"]["current"] == list(head_revisions())
    assert body["checks"]["outbox"]["data"]["lag_seconds"] == 0


async def test_without_a_database_the_process_is_alive_but_not_ready(serve: Served) -> None:
    shop = build_shop(settings("postgresql+asyncpg://nobody@127.0.0.1:1/none"))
    try:
        async with serve(shop) as url:
            assert await get(f"{url}/healthz") == (200, {"status": "ok"})
            status, body = await get(f"{url}/readyz")
    finally:
        await shop.close()
    assert status == 503 and body["status"] == "unavailable"
    assert list(body["checks"]) == ["database"] and not body["checks"]["database"]["ok"]


async def test_a_database_behind_the_migrations_head_is_not_ready_and_says_to_upgrade(
    tmp_path: Path, serve: Served
) -> None:
    path = tmp_path / "old.db"
    await upgrade_async(f"sqlite+aiosqlite:///{path}", "0011")
    shop = build_shop(settings(f"sqlite+aiosqlite:///{path}"))
    try:
        async with serve(shop) as url:
            status, body = await get(f"{url}/readyz")
    finally:
        await shop.close()
    migrations = body["checks"]["migrations"]
    assert status == 503 and not migrations["ok"] and "chatshop db upgrade" in migrations["detail"]
    assert migrations["data"]["current"] == ["0011"]


async def test_an_outbox_event_waiting_past_the_threshold_makes_the_shop_not_ready(
    tmp_path: Path, sqlite_template: Path, serve: Served
) -> None:
    shutil.copy(sqlite_template, tmp_path / "shop.db")
    clock = FakeClock()
    shop = build_shop(settings(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}", ready_max_outbox_lag_seconds=60), clock)
    try:
        small = await SmallShop(shop).build()
        await small.checkout(await small.customer())  # its events wait in the outbox: no worker runs here
        async with serve(shop) as url:
            clock.advance(seconds=59)
            ready, _ = await get(f"{url}/readyz")
            clock.advance(seconds=2)
            status, body = await get(f"{url}/readyz")
            await shop.outbox.drain()
            drained, _ = await get(f"{url}/readyz")
    finally:
        await shop.close()
    assert ready == 200
    assert status == 503 and body["checks"]["outbox"]["data"]["lag_seconds"] >= 61
    assert "chatshop outbox status" in body["checks"]["outbox"]["detail"]
    assert drained == 200


async def test_redis_is_checked_when_configured(tmp_path: Path, sqlite_template: Path, serve: Served) -> None:
    shutil.copy(sqlite_template, tmp_path / "shop.db")
    database = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    results = {}
    for name, redis in [("up", redis_url()), ("down", "redis://127.0.0.1:1/0")]:
        shop = build_shop(settings(database, redis_url=redis))
        try:
            async with serve(shop) as url:
                results[name] = await get(f"{url}/readyz")
        finally:
            await shop.close()
    assert results["up"][0] == 200 and results["up"][1]["checks"]["redis"]["ok"]
    assert results["down"][0] == 503 and not results["down"][1]["checks"]["redis"]["ok"]
    assert results["down"][1]["checks"]["database"]["ok"]
