"""The HTTP server of ``chatshop run``: health, media, the sandbox pay page, the pages Stripe returns the
shopper to, and room for channels."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from aiohttp import web

from channels import payment_pages, sandbox_payments
from channels.payment_pages import ChatLink
from chatshop import health
from chatshop.bootstrap import Shop
from chatshop.logging_http import turn_ids

log = logging.getLogger(__name__)
SHOP_KEY = web.AppKey("shop", Shop)
MEDIA_DIR = Path("var") / "media"

# Channels (web chat, Telegram, Slack…) add their routes through functions of this shape.
Mount = Callable[[web.Application, Shop], None]


async def landing(request: web.Request) -> web.Response:
    for mounted in request.app.router.resources():
        if mounted.canonical == "/chat":
            raise web.HTTPFound("/chat")
    return web.Response(text="chatshop is running. Health: /healthz, readiness: /readyz", content_type="text/plain")


def chat_links(app: web.Application) -> ChatLink:
    """Links back to a conversation by the order's channel, looked up per request: channels are mounted
    after the payment pages, and Telegram's bot name is known only once the bot has asked (getMe, cached)."""

    async def link(channel: str) -> str | None:
        if channel == "webchat":
            mounted = any(resource.canonical == "/chat" for resource in app.router.resources())
            return "/chat" if mounted else None
        if channel == "telegram":
            # Imported here: an app without Telegram (tests, a web-chat-only shop) need not load aiogram.
            from aiogram.exceptions import TelegramAPIError

            from channels.telegram.app import APP_KEY

            if APP_KEY not in app:
                return None
            try:
                me = await app[APP_KEY].bot.me()
            except TelegramAPIError as exc:  # a page without the link beats no page
                log.warning("Telegram bot name unavailable for a chat link: %s", exc)
                return None
            return f"https://t.me/{me.username}" if me.username else None
        return None

    return link


def create_app(shop: Shop, mounts: list[Mount] | None = None, media_dir: Path = MEDIA_DIR) -> web.Application:
    app = web.Application(client_max_size=1024**2, middlewares=[turn_ids])
    app[SHOP_KEY] = shop
    health.setup(app, shop)
    app.router.add_get("/", landing)
    media_dir.mkdir(parents=True, exist_ok=True)
    app.router.add_static("/media/", media_dir, show_index=False)
    links = chat_links(app)
    sandbox_payments.setup(app, shop.sandbox, shop.bus, shop.views, links)
    payment_pages.setup(app, shop.views, shop.clock, links)
    for mount in mounts or []:
        mount(app, shop)
    return app
