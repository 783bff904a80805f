"""Which channels ``chatshop run`` mounts, decided from settings."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bots.conversation.engine import ConversationEngine
from channels import telegram, webchat
from channels.webchat.hub import ChatHistory, Fanout
from channels.webchat.settings import WebchatSettings
from chatshop.bootstrap import Shop
from chatshop.engine import build_shopper_engine
from chatshop.settings import Settings
from chatshop.subscribers.channels import subscribe_slack, subscribe_telegram, subscribe_webchat
from chatshop.web import Mount


class SharedEngine:
    """One conversation engine (and one NLU model in memory) for every chat channel of the process."""

    def __init__(self) -> None:
        self._engine: ConversationEngine | None = None

    def __call__(self, shop: Shop) -> ConversationEngine:
        if self._engine is None:
            self._engine = build_shopper_engine(shop)
        return self._engine


def channel_mounts(settings: Settings) -> list[Mount]:
    """Channels whose settings are present; the web chat, the sandbox pay page and health are always there."""
    engine = SharedEngine()
    mounts: list[Mount] = [webchat_mount(engine), admin_api_mount, console_mount]
    if settings.stripe_webhook_secret is not None and settings.stripe_webhook_secret.get_secret_value():
        mounts.append(stripe_webhook_mount(settings.stripe_webhook_secret.get_secret_value()))
    if settings.slack_bot_token is not None and settings.slack_signing_secret is not None:
        mounts.append(slack_mount)
    if settings.tracking_secrets is not None and settings.tracking_secrets.get_secret_value():
        mounts.append(tracking_mount(settings.tracking_secrets.get_secret_value()))
    if settings.telegram_token is not None and settings.telegram_token.get_secret_value():
        mounts.append(lambda app, shop: telegram_mount(app, shop, engine(shop)))
    return mounts


def admin_api_mount(app: web.Application, shop: Shop) -> None:
    """The admin REST API at ``/api/v1`` and its docs at ``/api/docs`` (keys: ``chatshop apikey create``)."""
    from chatshop.api_wiring import mount_admin_api

    mount_admin_api(app, shop)


def console_mount(app: web.Application, shop: Shop) -> None:
    """The staff console at ``/admin`` (passwords: ``chatshop staff passwd NAME``)."""
    from chatshop.console_wiring import mount_console

    mount_console(app, shop)


def webchat_mount(engine: SharedEngine) -> Mount:
    """The web chat, with its history where a restart or another process finds it: Redis (and pub/sub between
    processes) when configured, else the database."""

    def mount(app: web.Application, shop: Shop) -> None:
        chat = WebchatSettings()
        history, fanout = webchat_storage(shop, chat)
        webchat.mount(app, shop, engine(shop), chat, history, fanout)
        subscribe_webchat(app, shop)

    return mount


def webchat_storage(shop: Shop, chat: WebchatSettings) -> tuple[ChatHistory, Fanout | None]:
    retention = timedelta(days=chat.history_days)
    if shop.settings.redis_url:
        from redis.asyncio import Redis

        from channels.webchat.redis_store import RedisFanout, RedisHistory

        redis = Redis.from_url(shop.settings.redis_url)
        return RedisHistory(redis, chat.history_size, retention), RedisFanout(redis)
    from domain.adapters.webchat_history import SqlChatHistory

    return SqlChatHistory(shop.sessions, shop.clock, chat.history_size, retention), None


def slack_mount(app: web.Application, shop: Shop) -> None:
    """The Slack ops bot at ``/slack/events``, subscribed to the outbox events staff act on."""
    from channels.slack import setup

    ops = setup(app, bus=shop.bus, views=shop.views, settings=shop.settings, clock=shop.clock)
    subscribe_slack(shop.outbox, ops)


def stripe_webhook_mount(secret: str) -> Mount:
    """``POST /webhooks/stripe``; it needs Stripe as the payment provider (it lists refunds through it)."""

    def mount(app: web.Application, shop: Shop) -> None:
        from channels import stripe_webhooks
        from domain.adapters.payments.stripe import StripePaymentProvider

        if not isinstance(shop.payments, StripePaymentProvider):
            raise RuntimeError("CHATSHOP_STRIPE_WEBHOOK_SECRET is set but CHATSHOP_STRIPE_SECRET_KEY is not.")
        stripe_webhooks.setup(app, shop.bus, secret, shop.payments)

    return mount


def tracking_mount(secrets: str) -> Mount:
    """``POST /integrations/tracking``: signed carrier tracking updates (channels/tracking.py)."""
    from channels import tracking

    parsed = tracking.parse_secrets(secrets)

    def mount(app: web.Application, shop: Shop) -> None:
        tracking.setup(app, shop.bus, parsed)

    return mount


def telegram_mount(app: web.Application, shop: Shop, engine: ConversationEngine) -> None:
    """The Telegram bot, its replies and notices paced on the bot's one overall rate, shared with campaigns
    and every other process (Redis when configured, else the database), so together they never exceed it."""
    from bots.campaigns.ratelimit import GLOBAL
    from channels.telegram.channel import TelegramConfig, build_bot
    from channels.telegram.sender import TelegramSender, bot_rate_key
    from chatshop.cli_campaign import shared_limiter

    config = TelegramConfig.from_settings(shop.settings)
    assert config is not None  # mounted only when the token is set
    limiter = shared_limiter(shop)
    key = f"{GLOBAL}:{bot_rate_key(config.token)}"
    sender = TelegramSender(build_bot(config), config.rate_per_second, shared_rate=(limiter, key))
    built = telegram.build_telegram(shop, engine, config, sender)
    telegram.mount(app, shop, built)
    subscribe_telegram(shop, built)

    async def close_limiter(_: web.Application) -> None:
        close = getattr(limiter, "aclose", None)
        if close is not None:
            await close()

    app.on_cleanup.append(close_limiter)
