"""The chat and ops channels: shopper notices on Telegram and the web chat, staff posts in Slack.

Each channel exposes its notifier (the handler) and the events it takes; they are subscribed here, after the
channel is mounted (the handlers need the mounted bot, hub or Slack client), with the events listed below."""

from __future__ import annotations

from aiohttp import web

from channels.slack.context import SlackOps
from channels.slack.notifier import SLACK_SUBSCRIPTIONS
from channels.slack.notifier import handlers as slack_handlers
from channels.telegram.app import TelegramApp
from channels.telegram.channel import Shop as TelegramShop
from channels.telegram.notifications import NOTIFY_EVENTS as TELEGRAM_EVENTS
from channels.telegram.notifications import SUBSCRIBER as TELEGRAM
from channels.telegram.notifications import TelegramNotifier
from channels.webchat.server import ENGINE_KEY, HUB_KEY, Outbox
from channels.webchat.server import NOTIFY_EVENTS as WEBCHAT_EVENTS
from channels.webchat.server import SUBSCRIBER as WEBCHAT
from channels.webchat.server import Shop as WebchatShop
from channels.webchat.server import notifier as webchat_notifier
from chatshop.subscribers.spec import listing, subscribe

SUBSCRIBERS = (
    listing(
        "telegram",
        (TELEGRAM, TELEGRAM_EVENTS, "order, payment and support notices to the shopper's Telegram chat"),
    )
    + listing(
        "webchat",
        (WEBCHAT, WEBCHAT_EVENTS, "order, payment and support notices and marketing to open web chats"),
    )
    + listing("slack", *((name, events, does) for name, (events, does) in SLACK_SUBSCRIPTIONS.items()))
)


def subscribe_webchat(app: web.Application, shop: WebchatShop) -> None:
    """Notices to the shopper's open web chats, through the hub and engine ``channels.webchat.mount`` put on
    ``app``."""
    subscribe(shop.outbox, SUBSCRIBERS, WEBCHAT, webchat_notifier(shop, app[ENGINE_KEY], app[HUB_KEY]))


def subscribe_telegram(shop: TelegramShop, telegram: TelegramApp) -> TelegramNotifier:
    """Order, payment and support notices to the shopper's Telegram chat."""
    notifier = TelegramNotifier(telegram.channel, shop.bus.ctx.uow, shop.outbox)
    subscribe(shop.outbox, SUBSCRIBERS, TELEGRAM, notifier)
    return notifier


def subscribe_slack(outbox: Outbox, ops: SlackOps) -> None:
    """What the Slack bot posts for staff, one subscriber per concern (a failing one holds back no other)."""
    for name, handler in slack_handlers(ops).items():
        subscribe(outbox, SUBSCRIBERS, name, handler)
