"""A webhook receiver on loopback that checks every request with the ``standardwebhooks`` library, as a
customer's endpoint would, and answers as a test tells it to (fail N times, hang, succeed)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified_by: tuple[str, ...]  # the secrets whose signature matched

    @property
    def message_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def payload(self) -> dict[str, Any]:
        return dict(json.loads(self.body))


@dataclass
class Receiver:
    secrets: list[str] = field(default_factory=list)
    fail_first: int = 0  # answer 500 to this many requests first
    hang_first: int = 0  # never answer this many requests (until the test ends)
    hang_seconds: float = 30.0
    status: int = 204
    received: list[Received] = field(default_factory=list)
    url: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def verified(self, secret: str | None = None) -> list[Received]:
        return [r for r in self.received if r.verified_by and (secret is None or secret in r.verified_by)]

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        ok = []
        for secret in self.secrets:
            try:
                Webhook(secret).verify(body, headers)
            except WebhookVerificationError:
                continue
            ok.append(secret)
        self.received.append(Received(headers, body, tuple(ok)))
        self.arrived.set()
        if self.hang_first > 0:
            self.hang_first -= 1
            await asyncio.sleep(self.hang_seconds)
        if self.fail_first > 0:
            self.fail_first -= 1
            return web.Response(status=500, text="boom")
        return web.Response(status=self.status)


@asynccontextmanager
async def running_receiver(**kwargs: Any) -> AsyncIterator[Receiver]:
    receiver = Receiver(**kwargs)
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)

    async def moved(_: web.Request) -> web.Response:
        raise web.HTTPFound(receiver.url)

    app.router.add_post("/moved", moved)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    receiver.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield receiver
    finally:
        await runner.cleanup()
