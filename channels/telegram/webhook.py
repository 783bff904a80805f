"""``POST /webhooks/telegram``: Telegram's webhook, on the shop's aiohttp app.

The secret token set with setWebhook comes back in ``X-Telegram-Bot-Api-Secret-Token``; without the
right one the request is refused (401) before anything is parsed. Each ``update_id`` is handled once
(``dedupe``). The update is handled before the answer, so a 500 (a payment that failed to book) makes
Telegram send it again; everything else answers 200 even when a handler failed (the shopper already got
an apology, and a redelivery would only repeat it).
"""

from __future__ import annotations

import hmac
import json
import logging

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from pydantic import ValidationError

from channels.telegram.dedupe import UpdateDedupe

log = logging.getLogger(__name__)
PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookHandler:
    def __init__(self, bot: Bot, dispatcher: Dispatcher, secret: str | None, dedupe: UpdateDedupe) -> None:
        self.bot = bot
        self.dispatcher = dispatcher
        self.secret = secret
        self.dedupe = dedupe
        self.handled = 0
        self.duplicates = 0

    def _authorised(self, request: web.Request) -> bool:
        if not self.secret:
            return False  # a webhook without a secret would take updates from anyone: refuse them all
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.secret.encode())

    async def handle(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return web.json_response({"ok": False, "error": "unauthorised"}, status=401)
        try:
            data = await request.json(loads=json.loads)
            update = Update.model_validate(data, context={"bot": self.bot})
        except (ValueError, ValidationError):
            return web.json_response({"ok": False, "error": "not an Update"}, status=400)
        key = f"{self.bot.id}:{update.update_id}"
        if not await self.dedupe.claim(key):
            self.duplicates += 1
            return web.json_response({"ok": True, "duplicate": True})
        try:
            await self.dispatcher.feed_update(self.bot, update)
        except Exception:
            await self.dedupe.release(key)  # let Telegram's retry through
            log.exception("update %s failed; Telegram will deliver it again", update.update_id)
            return web.json_response({"ok": False}, status=500)
        self.handled += 1
        return web.json_response({"ok": True})
