"""Free text goes to the engine (NLU, open forms); other kinds of message get a hint."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from channels.telegram.channel import TelegramChannel


async def text_message(message: Message, channel: TelegramChannel, locale: str) -> None:
    user = message.from_user
    assert user is not None
    await channel.converse(message.chat.id, user.id, user.full_name, locale, text=message.text)


async def other_message(message: Message, channel: TelegramChannel, locale: str) -> None:
    await channel.say(message.chat.id, channel.text("not_text", locale))


def router() -> Router:
    r = Router(name="chat")
    r.message.filter(F.chat.type == "private")  # in groups the bot only answers commands
    r.message.register(text_message, F.text, F.from_user)
    r.message.register(other_message, F.from_user, ~F.successful_payment)
    return r
