"""The admin API on loopback over a small shop, and keys with chosen scopes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from admin_api.rest.settings import ApiSettings
from chatshop.api_wiring import mount_admin_api
from chatshop.web import create_app
from domain.adapters.api_access import SqlApiKeyStore
from domain.model.staff import SCOPES
from tests.support.shopdata import SmallShop


@dataclass
class ApiClient:
    base: str
    http: aiohttp.ClientSession

    def headers(self, key: str | None, **extra: str) -> dict[str, str]:
        return ({"Authorization": f"Bearer {key}"} if key else {}) | extra

    async def call(
        self, method: str, path: str, key: str | None, json: object = None, **headers: str
    ) -> tuple[int, dict[str, object], aiohttp.ClientResponse]:
        async with self.http.request(
            method, f"{self.base}/api/v1{path}", json=json, headers=self.headers(key, **headers)
        ) as resp:
            body = await resp.json(content_type=None) if await resp.read() else {}
            return resp.status, body, resp


MakeKey = Callable[..., Awaitable[str]]


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


@pytest.fixture
def api_settings() -> ApiSettings:
    return ApiSettings(rate_limit="10000/minute", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def api(small: SmallShop, tmp_path: Path, api_settings: ApiSettings) -> AsyncIterator[ApiClient]:
    app = create_app(small.shop, [], media_dir=tmp_path / "media")
    mount_admin_api(app, small.shop, api_settings)
    runner, base = await serve(app)
    async with aiohttp.ClientSession() as http:
        yield ApiClient(base, http)
    await runner.cleanup()


@pytest.fixture
def make_key(small: SmallShop) -> MakeKey:
    counter = iter(range(1, 10_000))

    async def make(*scopes: str) -> str:
        chosen = frozenset(scopes or SCOPES)
        _, key = await SqlApiKeyStore(small.shop.sessions, small.shop.clock).create(f"key-{next(counter)}", chosen)
        return key

    return make
