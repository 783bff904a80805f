"""Replies and notices of two processes (two senders with their own limiter objects) take their slots from the
bot's one overall rate, shared through the database, so together they stay within Telegram's 30 a second."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.methods import SendMessage

from bots.campaigns.ratelimit import GLOBAL, SharedRateLimiter
from channels.telegram.channel import build_bot
from channels.telegram.sender import TelegramSender, bot_rate_key
from chatshop.bootstrap import Shop
from domain.adapters.campaigns_ratelimit import SqlRateLimiter
from tests.integration.telegram.conftest import config_for
from tests.support.fake_telegram import TOKEN, FakeTelegram, Limits

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


def busiest_second(times: list[float]) -> int:
    return max(sum(1 for t in times if start <= t < start + 1.0) for start in times)


async def test_two_processes_replies_share_the_bots_one_rate(shop: Shop) -> None:
    async with FakeTelegram(limits=Limits(per_second=30)) as fake:
        config = config_for(fake)
        key = f"{GLOBAL}:{bot_rate_key(TOKEN)}"
        senders = [
            TelegramSender(build_bot(config), 30, shared_rate=(SharedRateLimiter(SqlRateLimiter(shop.sessions)), key))
            for _ in range(2)
        ]

        async def send_all(sender: TelegramSender, first_chat: int) -> None:
            await asyncio.gather(
                *(
                    sender.send(SendMessage(chat_id=chat, text="Your order shipped"))
                    for chat in range(first_chat, first_chat + 45)
                )
            )

        await asyncio.gather(send_all(senders[0], 1000), send_all(senders[1], 2000))
        for sender in senders:
            await sender.bot.session.close()
        accepted = [call.at for call in fake.sent(method="sendMessage")]
        refused = [call for call in fake.calls if call.params.get("_rejected") == 429]
        assert len(accepted) == 90
        assert refused == [] and busiest_second(accepted) <= 31
