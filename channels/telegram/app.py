"""Assemble the channel for a shop: bot, engine, sender, dispatcher, webhook and notifications."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiohttp import web

from bots.conversation.engine import ConversationEngine
from channels.telegram.channel import Shop, TelegramChannel, TelegramConfig, build_bot
from channels.telegram.dedupe import MemoryDedupe, RedisDedupe, UpdateDedupe
from channels.telegram.dispatcher import build_dispatcher
from channels.telegram.sender import TelegramSender
from channels.telegram.webhook import PATH, WebhookHandler


@dataclass
class TelegramApp:
    config: TelegramConfig
    bot: Bot
    channel: TelegramChannel
    dispatcher: Dispatcher
    dedupe: UpdateDedupe
    webhook: WebhookHandler

    async def close(self) -> None:
        await self.bot.session.close()
        if isinstance(self.dedupe, RedisDedupe):
            await self.dedupe.close()


APP_KEY = web.AppKey("telegram", TelegramApp)


def build_telegram(
    shop: Shop,
    engine: ConversationEngine,
    config: TelegramConfig | None = None,
    sender: TelegramSender | None = None,
    dedupe: UpdateDedupe | None = None,
    throttle: tuple[int, float] = (20, 10.0),
) -> TelegramApp:
    config = config or TelegramConfig.from_settings(shop.settings)
    if config is None:
        raise RuntimeError("CHATSHOP_TELEGRAM_TOKEN is not set")
    bot = sender.bot if sender is not None else build_bot(config)
    channel = TelegramChannel(bot, engine, shop.bus, shop.views, shop.clock, config, sender)
    dispatcher = build_dispatcher(channel, *throttle)
    if dedupe is None:
        dedupe = RedisDedupe.from_url(config.redis_url) if config.redis_url else MemoryDedupe()
    webhook = WebhookHandler(bot, dispatcher, config.webhook_secret, dedupe)
    return TelegramApp(config, bot, channel, dispatcher, dedupe, webhook)


def mount(app: web.Application, shop: Shop, telegram: TelegramApp) -> None:
    """``POST /webhooks/telegram`` (its order and support notices are subscribed by
    chatshop/subscribers/channels.py)."""
    app[APP_KEY] = telegram
    app.router.add_post(PATH, telegram.webhook.handle)

    async def close(_: web.Application) -> None:
        await telegram.close()

    app.on_cleanup.append(close)
