"""``chatshop telegram …``: point Telegram at the webhook, or long-poll for development."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.console import Console

from chatshop.bootstrap import build_shop
from chatshop.engine import build_shopper_engine
from chatshop.settings import Settings, get_settings

console = Console()
err = Console(stderr=True)
telegram_app = typer.Typer(help="The Telegram bot: webhook and long polling.", no_args_is_help=True)


def _settings() -> Settings:
    settings = get_settings()
    if settings.telegram_token is None:
        err.print("Set CHATSHOP_TELEGRAM_TOKEN (from @BotFather) first.")
        raise typer.Exit(2)
    return settings


@telegram_app.command("set-webhook")
def set_webhook(
    url: Annotated[str | None, typer.Option(help="Public HTTPS base URL; default CHATSHOP_PUBLIC_URL.")] = None,
    drop_pending: Annotated[bool, typer.Option("--drop-pending", help="Forget updates sent meanwhile.")] = False,
) -> None:
    """Tell Telegram to POST updates to <url>/webhooks/telegram, and register the command menu (en, zh)."""
    from channels.telegram.channel import TelegramConfig, build_bot
    from channels.telegram.setup import set_webhook as register

    settings = _settings()
    config = TelegramConfig.from_settings(settings)
    assert config is not None
    if not config.webhook_secret:
        err.print("Set CHATSHOP_TELEGRAM_WEBHOOK_SECRET (any long random string) first.")
        raise typer.Exit(2)
    base = url or settings.public_url
    if not base or not base.startswith("https://"):
        err.print("Telegram needs a public HTTPS URL: pass --url or set CHATSHOP_PUBLIC_URL.")
        raise typer.Exit(2)

    async def go() -> str:
        bot = build_bot(config)
        try:
            return await register(bot, base, config.webhook_secret or "", drop_pending)
        finally:
            await bot.session.close()

    console.print(f"webhook set to {asyncio.run(go())}")


@telegram_app.command("poll")
def poll() -> None:
    """Long polling for development (no public URL needed); also runs the outbox, so notifications flow."""
    from channels.telegram.app import build_telegram
    from channels.telegram.setup import poll as run_polling
    from chatshop.logging_setup import configure_from_settings
    from chatshop.runtime import Runtime
    from chatshop.subscribers.channels import subscribe_telegram

    settings = _settings()
    configure_from_settings(settings)

    async def go() -> None:
        shop = build_shop(settings)
        telegram = build_telegram(shop, build_shopper_engine(shop))
        subscribe_telegram(shop, telegram)
        runtime = Runtime(shop, settings.outbox_poll_seconds)
        await runtime.start()
        me = await telegram.bot.me()
        console.print(f"polling as @{me.username}; Ctrl+C stops")
        try:
            await run_polling(telegram.bot, telegram.dispatcher)
        finally:
            await runtime.stop()
            await telegram.close()
            await shop.close()

    try:
        asyncio.run(go())
    except KeyboardInterrupt:
        console.print("stopped")
