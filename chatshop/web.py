"""The HTTP server of ``chatshop run``: health, media, the sandbox pay page, and room for channels."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from channels import sandbox_payments
from chatshop.bootstrap import Shop

log = logging.getLogger(__name__)
SHOP_KEY = web.AppKey("shop", Shop)
MEDIA_DIR = Path("var") / "media"

# Channels (web chat, Telegram, Slack…) add their routes through functions of this shape.
Mount = Callable[[web.Application, Shop], None]


async def healthz(request: web.Request) -> web.Response:
    shop = request.app[SHOP_KEY]
    try:
        ok = await shop.healthy()
    except Exception as exc:  # the point of a health check is to report, not to crash
        log.warning("health check failed: %s", exc)
        ok = False
    return web.json_response({"status": "ok" if ok else "unavailable", "database": ok}, status=200 if ok else 503)


async def landing(request: web.Request) -> web.Response:
    for mounted in request.app.router.resources():
        if mounted.canonical == "/chat":
            raise web.HTTPFound("/chat")
    return web.Response(text="chatshop is running. Health: /healthz", content_type="text/plain")


def create_app(shop: Shop, mounts: list[Mount] | None = None, media_dir: Path = MEDIA_DIR) -> web.Application:
    app = web.Application(client_max_size=1024**2)
    app[SHOP_KEY] = shop
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/", landing)
    media_dir.mkdir(parents=True, exist_ok=True)
    app.router.add_static("/media/", media_dir, show_index=False)
    sandbox_payments.setup(app, shop.sandbox, shop.bus)
    for mount in mounts or []:
        mount(app, shop)
    return app
