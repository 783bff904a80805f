"""The chat and ops channels: shopper notices on Telegram and the web chat, staff posts in Slack.

They subscribe when mounted (``channels/*``: the handlers need the mounted bot, hub or Slack client); the
events they take are the channels' own constants, listed here so the registry shows them."""

from __future__ import annotations

from channels.slack.notifier import SLACK_SUBSCRIPTIONS
from channels.telegram.notifications import NOTIFY_EVENTS as TELEGRAM_EVENTS
from channels.telegram.notifications import SUBSCRIBER as TELEGRAM
from channels.webchat.server import NOTIFY_EVENTS as WEBCHAT_EVENTS
from channels.webchat.server import SUBSCRIBER as WEBCHAT
from chatshop.subscribers.spec import listing

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
