"""The one way out to Telegram: every reply, edit and notification goes through ``TelegramSender.send``.

Limits (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this): about 30
messages a second overall, about one a second per chat, 20 a minute per group. They are leaky buckets
from ``aiolimiter`` (well kept, asyncio-native, with a non-blocking ``has_capacity``); a private chat's
bucket holds a burst of ``chat_burst`` messages so a three-message answer isn't spread over three
seconds, but the sustained rate stays at one a second.

When Telegram still answers 429 it says how long to wait (``retry_after``): the whole sender pauses that
long, since the flood limit is per bot. 403 ("bot was blocked by the user") is final: the chat is
reported through ``on_blocked`` (the caller records it in the CRM) and the message is dropped, not
retried. Network errors and 5xx are retried with exponential backoff; after that the error is raised so
an outbox notification stays undelivered and is tried again later.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import TelegramMethod
from aiolimiter import AsyncLimiter

from domain.observability import metrics

log = logging.getLogger(__name__)
T = TypeVar("T")
BlockedHook = Callable[[int], Awaitable[None]]
MAX_CHAT_LIMITERS = 20_000


@dataclass
class SenderStats:
    sent: int = 0
    retry_after: int = 0
    network_retries: int = 0
    blocked: int = 0


class OverallRate(Protocol):
    """A bot's one overall rate shared with other senders and processes (campaigns use the same one)."""

    async def acquire(self, key: str, rate: float) -> None: ...


def bot_rate_key(token: str) -> str:
    """The key of a bot's overall rate: its public id (the token's part before the colon), never the secret."""
    return f"telegram:{token.split(':', 1)[0]}"


class TelegramSender:
    def __init__(
        self,
        bot: Bot,
        rate_per_second: float = 30,
        chat_per_second: float = 1.0,
        chat_burst: int = 3,
        group_per_minute: int = 20,
        network_attempts: int = 5,
        backoff_seconds: float = 0.5,
        max_retry_after: int = 8,
        on_blocked: BlockedHook | None = None,
        shared_rate: tuple[OverallRate, str] | None = None,
    ) -> None:
        self.bot = bot
        self.rate_per_second = rate_per_second
        # A bucket of ``rate`` tokens refilled over one second: at most ``rate`` a second, no more burst.
        self._global = AsyncLimiter(max(1.0, rate_per_second), 1.05)
        # With a shared rate (limiter, key), replies and notices take their slots from the same schedule as the
        # bot's campaigns in every process, so together they never exceed the bot's limit.
        self.shared_rate = shared_rate
        self.chat_per_second = chat_per_second
        self.chat_burst = max(1, chat_burst)
        self.group_per_minute = group_per_minute
        self.network_attempts = network_attempts
        self.backoff_seconds = backoff_seconds
        self.max_retry_after = max_retry_after
        self.on_blocked = on_blocked
        self.stats = SenderStats()
        self._chats: OrderedDict[int | str, AsyncLimiter] = OrderedDict()
        self._paused_until = 0.0

    def _chat_limiter(self, chat_id: int | str) -> AsyncLimiter:
        limiter = self._chats.get(chat_id)
        if limiter is None:
            group = isinstance(chat_id, str) or chat_id < 0  # groups and channels have negative ids (or @names)
            if group:
                limiter = AsyncLimiter(self.group_per_minute, 63)
            else:
                # 5% slack: Telegram counts by its clock, after network jitter, not by ours.
                limiter = AsyncLimiter(self.chat_burst, 1.05 * self.chat_burst / self.chat_per_second)
            self._chats[chat_id] = limiter
            while len(self._chats) > MAX_CHAT_LIMITERS:
                self._chats.popitem(last=False)
        self._chats.move_to_end(chat_id)
        return limiter

    def pause(self, seconds: float) -> None:
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    async def _wait_for_pause(self) -> None:
        loop = asyncio.get_running_loop()
        # A loop, not an Event: another 429 may push the end of the pause further while we sleep.
        while (delay := self._paused_until - loop.time()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)

    async def send(self, method: TelegramMethod[T]) -> T | None:
        """The call's result; None when the chat blocked us or an edit changed nothing."""
        chat_id: Any = getattr(method, "chat_id", None)
        network_failures = 0
        flood_waits = 0
        while True:
            await self._wait_for_pause()
            if chat_id is not None:  # answers to callbacks, inline and pre-checkout queries aren't messages
                await self._chat_limiter(chat_id).acquire()
                if self.shared_rate is not None:
                    limiter, key = self.shared_rate
                    await limiter.acquire(key, self.rate_per_second)
                else:
                    await self._global.acquire()
            try:
                result = await self.bot(method)
            except TelegramRetryAfter as exc:
                flood_waits += 1
                self.stats.retry_after += 1
                metrics().telegram_429("sender")
                log.warning("Telegram flood control: pausing all sends for %ss", exc.retry_after)
                if flood_waits > self.max_retry_after:
                    raise
                self.pause(exc.retry_after)
                continue
            except TelegramForbiddenError as exc:
                self.stats.blocked += 1
                log.info("chat %s can't be reached: %s", chat_id, exc.message)
                if self.on_blocked is not None and isinstance(chat_id, int):
                    await self.on_blocked(chat_id)
                return None
            except TelegramBadRequest as exc:
                if "message is not modified" in exc.message:
                    return None  # the same page or quantity pressed twice: nothing to redraw
                raise
            except (TelegramNetworkError, TelegramServerError) as exc:
                network_failures += 1
                self.stats.network_retries += 1
                if network_failures >= self.network_attempts:
                    raise
                delay = self.backoff_seconds * 2 ** (network_failures - 1)
                log.warning("Telegram unreachable (%s); retry %d in %.1fs", exc, network_failures, delay)
                await asyncio.sleep(delay)
                continue
            self.stats.sent += 1
            log.debug("Telegram %s to chat %s: ok", type(method).__name__, chat_id)
            return result
