"""Inline-button presses carrying the engine's signed payload. Anything else gets a clear answer.

The callback is answered first (Telegram shows a spinner until then), then the engine runs; a forged
or stale payload is the engine's to refuse (it checks the MAC against this chat) and it answers with the
menu. Junk that isn't even shaped like a payload never reaches the conversation state.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import CallbackQuery, Message

from channels.telegram.callbacks import action_of, is_engine_payload
from channels.telegram.channel import TelegramChannel
from channels.telegram.render import Origin


def origin_of(query: CallbackQuery) -> Origin | None:
    message = query.message
    if not isinstance(message, Message) or query.data is None:  # InaccessibleMessage: too old to edit
        return None
    return Origin(message.chat.id, message.message_id, bool(message.photo), action_of(query.data))


async def engine_button(query: CallbackQuery, channel: TelegramChannel, locale: str) -> None:
    await channel.sender.send(AnswerCallbackQuery(callback_query_id=query.id))
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await channel.converse(
        chat_id, query.from_user.id, query.from_user.full_name, locale, payload=query.data, origin=origin_of(query)
    )


async def unknown_button(query: CallbackQuery, channel: TelegramChannel, locale: str) -> None:
    text = channel.text("bad_button", locale)
    await channel.sender.send(AnswerCallbackQuery(callback_query_id=query.id, text=text, show_alert=True))
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await channel.converse(
        chat_id, query.from_user.id, query.from_user.full_name, locale, payload=channel.payload(chat_id, "m")
    )


def router() -> Router:
    r = Router(name="buttons")
    r.callback_query.register(engine_button, F.data.func(is_engine_payload))
    r.callback_query.register(unknown_button)  # after the payments router's typed callbacks
    return r
