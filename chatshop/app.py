"""Which channels ``chatshop run`` mounts, decided from settings."""

from __future__ import annotations

from aiohttp import web

from bots.conversation.engine import ConversationEngine
from channels import telegram, webchat
from chatshop.bootstrap import Shop
from chatshop.engine import build_shopper_engine
from chatshop.settings import Settings
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
    mounts: list[Mount] = [lambda app, shop: webchat.mount(app, shop, engine(shop))]
    if settings.stripe_webhook_secret is not None and settings.stripe_webhook_secret.get_secret_value():
        mounts.append(stripe_webhook_mount(settings.stripe_webhook_secret.get_secret_value()))
    if settings.slack_bot_token is not None and settings.slack_signing_secret is not None:
        mounts.append(slack_mount)
    if settings.telegram_token is not None and settings.telegram_token.get_secret_value():
        mounts.append(lambda app, shop: telegram.mount(app, shop, telegram.build_telegram(shop, engine(shop))))
    return mounts


def slack_mount(app: web.Application, shop: Shop) -> None:
    """The Slack ops bot at ``/slack/events``, subscribed to the outbox events staff act on."""
    from channels.slack import setup

    subscribe, settings = shop.outbox.subscribe, shop.settings
    setup(app, bus=shop.bus, views=shop.views, subscribe=subscribe, settings=settings, clock=shop.clock)


def stripe_webhook_mount(secret: str) -> Mount:
    """``POST /webhooks/stripe``; it needs Stripe as the payment provider (it lists refunds through it)."""

    def mount(app: web.Application, shop: Shop) -> None:
        from channels import stripe_webhooks
        from domain.adapters.payments.stripe import StripePaymentProvider

        if not isinstance(shop.payments, StripePaymentProvider):
            raise RuntimeError("CHATSHOP_STRIPE_WEBHOOK_SECRET is set but CHATSHOP_STRIPE_SECRET_KEY is not.")
        stripe_webhooks.setup(app, shop.bus, secret, shop.payments)

    return mount
