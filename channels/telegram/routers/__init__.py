"""aiogram routers, one per feature. Order matters: payments and commands before free text."""

from __future__ import annotations

from aiogram import Router

from channels.telegram.routers import buttons, chat, commands, inline, payments, start


def build_router() -> Router:
    root = Router(name="telegram")
    for feature in (payments, start, commands, buttons, inline, chat):
        root.include_router(feature.router())
    return root
