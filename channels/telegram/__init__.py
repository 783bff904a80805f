"""The Telegram channel (aiogram 3): webhook, long polling, renderer, sender, notifications, payments.

``mount(app, shop)`` adds ``POST /webhooks/telegram`` and the outbox subscription; see
docs/connect-telegram.md for the setup steps.
"""

from __future__ import annotations

from channels.telegram.app import TelegramApp, build_telegram, mount

__all__ = ["TelegramApp", "build_telegram", "mount"]
