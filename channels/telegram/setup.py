"""One-off Bot API setup: the command menu (en, zh), the webhook, and long polling for development."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.methods import DeleteWebhook, SetWebhook

from channels.telegram.dispatcher import ALLOWED_UPDATES
from channels.telegram.routers.commands import set_my_commands
from channels.telegram.webhook import PATH

log = logging.getLogger(__name__)


async def register_commands(bot: Bot) -> None:
    for method in set_my_commands():
        await bot(method)


async def set_webhook(bot: Bot, base_url: str, secret: str, drop_pending: bool = False) -> str:
    """Point Telegram at ``<base_url>/webhooks/telegram`` (must be public HTTPS) and register commands."""
    url = base_url.rstrip("/") + PATH
    await bot(SetWebhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES,
                         drop_pending_updates=drop_pending))  # fmt: skip
    await register_commands(bot)
    return url


async def poll(bot: Bot, dispatcher: Dispatcher, polling_timeout: int = 30) -> None:
    """Long polling (``getUpdates``) instead of a webhook: for development behind NAT. Runs until cancelled."""
    await bot(DeleteWebhook(drop_pending_updates=False))
    await register_commands(bot)
    await dispatcher.start_polling(
        bot, polling_timeout=polling_timeout, allowed_updates=ALLOWED_UPDATES, handle_signals=False,
        close_bot_session=False,
    )  # fmt: skip
