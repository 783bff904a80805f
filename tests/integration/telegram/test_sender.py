"""The one outgoing sender against the fake Bot API: flood limits, 429 retry_after, 403, network errors."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram.exceptions import TelegramServerError
from aiogram.methods import AnswerCallbackQuery, SendMessage

from channels.telegram.channel import build_bot
from channels.telegram.sender import TelegramSender
from tests.integration.telegram.conftest import config_for
from tests.support.fake_telegram import FakeTelegram

SenderFactory = Callable[..., TelegramSender]


@pytest.fixture
async def sender_for(fake: FakeTelegram) -> AsyncIterator[SenderFactory]:
    bots = []

    def make(**options: Any) -> TelegramSender:
        bot = build_bot(config_for(fake))
        bots.append(bot)
        return TelegramSender(bot, **options)

    yield make
    for bot in bots:
        await bot.session.close()


async def test_the_sender_keeps_one_chat_at_one_message_a_second_so_telegram_never_refuses(
    fake: FakeTelegram, sender_for: SenderFactory
) -> None:
    fake.limits.per_chat_per_second = 1
    sender = sender_for(chat_per_second=1.0, chat_burst=1)
    started = time.monotonic()
    for n in range(3):
        await sender.send(SendMessage(chat_id=42, text=f"m{n}"))
    assert time.monotonic() - started >= 1.8
    assert [c.text for c in fake.sent("sendMessage", 42)] == ["m0", "m1", "m2"]
    assert sender.stats.retry_after == 0


async def test_on_429_the_whole_sender_waits_retry_after_then_delivers_everything(
    fake: FakeTelegram, sender_for: SenderFactory
) -> None:
    fake.limits.per_second = 2  # Telegram is stricter than we assumed: it answers 429 with retry_after=1
    sender = sender_for(rate_per_second=100, chat_per_second=100.0, chat_burst=100)
    started = time.monotonic()
    for n in range(3):
        await sender.send(SendMessage(chat_id=42, text=f"a{n}"))
    second_chat = time.monotonic()
    await sender.send(SendMessage(chat_id=43, text="b0"))
    assert sender.stats.retry_after >= 1
    assert second_chat - started >= 0.9  # the third message waited out retry_after
    assert [c.text for c in fake.sent("sendMessage")] == ["a0", "a1", "a2", "b0"]
    refused = [c for c in fake.calls if c.params.get("_rejected") == 429]
    assert len(refused) == sender.stats.retry_after


async def test_a_chat_that_blocked_the_bot_is_reported_once_and_not_retried(
    fake: FakeTelegram, sender_for: SenderFactory
) -> None:
    fake.blocked.add(77)
    reported: list[int] = []

    async def on_blocked(chat_id: int) -> None:
        reported.append(chat_id)

    sender = sender_for(on_blocked=on_blocked)
    assert await sender.send(SendMessage(chat_id=77, text="hi")) is None
    assert reported == [77]
    assert len(fake.calls) == 1


async def test_network_and_server_errors_are_retried_with_backoff_then_raised(
    fake: FakeTelegram, sender_for: SenderFactory
) -> None:
    sender = sender_for(backoff_seconds=0.01, network_attempts=3, chat_per_second=100.0, chat_burst=10)
    fake.fail_next = [502, 500]
    message = await sender.send(SendMessage(chat_id=42, text="eventually"))
    assert message is not None and message.text == "eventually"
    assert sender.stats.network_retries == 2
    fake.fail_next = [502, 502, 502]
    with pytest.raises(TelegramServerError):
        await sender.send(SendMessage(chat_id=42, text="never"))


async def test_an_unreachable_api_is_a_network_error_that_is_retried(sender_for: SenderFactory) -> None:
    from aiogram.exceptions import TelegramNetworkError

    from channels.telegram.channel import TelegramConfig

    bot = build_bot(TelegramConfig(token="1:x", api_url="http://127.0.0.1:9"))
    sender = TelegramSender(bot, backoff_seconds=0.01, network_attempts=2)
    try:
        with pytest.raises(TelegramNetworkError):
            await sender.send(SendMessage(chat_id=42, text="nobody home"))
        assert sender.stats.network_retries == 2
    finally:
        await bot.session.close()


async def test_answers_to_queries_are_not_held_back_by_the_chat_limits(
    fake: FakeTelegram, sender_for: SenderFactory
) -> None:
    sender = sender_for(chat_per_second=0.2, chat_burst=1)
    await sender.send(SendMessage(chat_id=42, text="first"))
    started = time.monotonic()
    for n in range(5):
        assert await sender.send(AnswerCallbackQuery(callback_query_id=f"q{n}")) is True
    assert time.monotonic() - started < 1.0
