"""Around every update: answer on errors, throttle floods, and know who is talking (and in what language).

Registered as outer middlewares on the dispatcher's ``update`` observer, after aiogram's own
``UserContextMiddleware`` (which puts ``event_from_user`` and ``event_chat`` in the data).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import Chat, TelegramObject, Update, User
from aiolimiter import AsyncLimiter

from bots.i18n import normalise_locale
from channels.telegram.channel import TelegramChannel
from domain.observability import turn_if_unbound

log = logging.getLogger(__name__)
Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
MAX_USERS = 50_000


def _money_update(update: Update) -> bool:
    """Updates that move money: never throttled, and a failure makes Telegram deliver them again."""
    return update.pre_checkout_query is not None or (
        update.message is not None and update.message.successful_payment is not None
    )


class ErrorMiddleware(BaseMiddleware):
    """A failing handler still answers the shopper (an apology) instead of leaving the chat silent.

    Payment updates re-raise after apologising, so the webhook answers 500 and Telegram re-delivers them.
    """

    def __init__(self, channel: TelegramChannel) -> None:
        self.channel = channel

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        try:
            with turn_if_unbound():  # an update by polling has no HTTP entry to start its turn
                return await handler(event, data)
        except Exception:
            log.exception("Telegram update %s failed", getattr(event, "update_id", "?"))
            await self._apologise(event, data)
            if isinstance(event, Update) and _money_update(event):
                raise
            return None

    async def _apologise(self, event: TelegramObject, data: dict[str, Any]) -> None:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        locale = user.language_code if user else None
        text = self.channel.text("error", locale)
        with contextlib.suppress(Exception):  # the apology must not raise over the original error
            if isinstance(event, Update) and event.callback_query is not None:
                await self.channel.sender.send(AnswerCallbackQuery(callback_query_id=event.callback_query.id))
            if chat is not None:
                await self.channel.say(chat.id, text)
            elif user is not None:
                await self.channel.say(user.id, text)


class ThrottleMiddleware(BaseMiddleware):
    """At most ``limit`` updates per ``period`` seconds per user; the rest are dropped with one warning.

    A leaky bucket per user (``aiolimiter``), checked without waiting: a flood is refused, not queued.
    """

    def __init__(self, channel: TelegramChannel, limit: int = 20, period: float = 10.0) -> None:
        self.channel = channel
        self.limit = limit
        self.period = period
        self._buckets: OrderedDict[int, AsyncLimiter] = OrderedDict()
        self._warned: dict[int, float] = {}
        self.dropped = 0

    def _bucket(self, user_id: int) -> AsyncLimiter:
        bucket = self._buckets.get(user_id)
        if bucket is None:
            bucket = self._buckets[user_id] = AsyncLimiter(self.limit, self.period)
            while len(self._buckets) > MAX_USERS:
                old, _ = self._buckets.popitem(last=False)
                self._warned.pop(old, None)
        self._buckets.move_to_end(user_id)
        return bucket

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or (isinstance(event, Update) and _money_update(event)):
            return await handler(event, data)
        bucket = self._bucket(user.id)
        if bucket.has_capacity():
            await bucket.acquire()
            return await handler(event, data)
        self.dropped += 1
        now = time.monotonic()
        if now - self._warned.get(user.id, 0.0) > self.period:
            self._warned[user.id] = now
            log.info("throttling Telegram user %s", user.id)
            with contextlib.suppress(Exception):
                if isinstance(event, Update) and event.callback_query is not None:
                    await self.channel.sender.send(
                        AnswerCallbackQuery(
                            callback_query_id=event.callback_query.id,
                            text=self.channel.text("slow_down", user.language_code),
                        )
                    )
                else:
                    await self.channel.say(user.id, self.channel.text("slow_down", user.language_code))
        return None


class IdentityMiddleware(BaseMiddleware):
    """``customer_id`` (CRM, via IdentifyCustomer) and ``locale`` (from ``language_code``) for handlers."""

    def __init__(self, channel: TelegramChannel) -> None:
        self.channel = channel

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        data["locale"] = normalise_locale(user.language_code if user else None) or "en"
        data["language_code"] = user.language_code if user else None
        if user is not None and not user.is_bot:
            data["customer_id"] = await self.channel.customer_for(user.id, user.full_name, data["locale"])
        else:
            data["customer_id"] = None
        return await handler(event, data)
