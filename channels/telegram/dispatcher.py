"""The aiogram Dispatcher: middlewares around every update, then the feature routers."""

from __future__ import annotations

from aiogram import Dispatcher

from channels.telegram.channel import TelegramChannel
from channels.telegram.middlewares import ErrorMiddleware, IdentityMiddleware, ThrottleMiddleware
from channels.telegram.routers import build_router

ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "pre_checkout_query"]


def build_dispatcher(channel: TelegramChannel, throttle_limit: int = 20, throttle_period: float = 10.0) -> Dispatcher:
    dp = Dispatcher(channel=channel)  # handlers receive ``channel`` by name (aiogram's workflow data)
    dp.update.outer_middleware(ErrorMiddleware(channel))
    dp.update.outer_middleware(ThrottleMiddleware(channel, throttle_limit, throttle_period))
    dp.update.outer_middleware(IdentityMiddleware(channel))
    dp.include_router(build_router())
    return dp
