"""Which channels ``chatshop run`` mounts, decided from settings."""

from __future__ import annotations

from aiohttp import web

from chatshop.bootstrap import Shop
from chatshop.settings import Settings
from chatshop.web import Mount


def channel_mounts(settings: Settings) -> list[Mount]:
    """Channels whose settings are present; the sandbox pay page and health are always there."""
    mounts: list[Mount] = []
    try:
        from channels.webchat import mount as webchat_mount
    except ImportError:  # the web chat arrives with the shopper-conversation work
        pass
    else:
        mounts.append(webchat_mount)
    if settings.stripe_webhook_secret is not None and settings.stripe_webhook_secret.get_secret_value():
        mounts.append(stripe_webhook_mount(settings.stripe_webhook_secret.get_secret_value()))
    if settings.slack_bot_token is not None and settings.slack_signing_secret is not None:
        mounts.append(slack_mount)
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
