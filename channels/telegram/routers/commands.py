"""/shop /cart /orders /help /stop and the main-menu reply keyboard (its presses arrive as text)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.methods import SetMyCommands
from aiogram.types import BotCommand, Message, ReplyKeyboardRemove

from channels.telegram import texts
from channels.telegram.channel import TelegramChannel
from channels.telegram.render import Renderer
from domain import commands as c
from domain.model.staff import Actor

# Command -> the engine action it presses (the engine's own menu buttons).
ACTIONS = {"shop": "cats", "cart": "cart", "orders": "ords"}
MENU_LABELS = {"menu_shop": "cats", "menu_cart": "cart", "menu_orders": "ords"}
COMMANDS = ("start", "shop", "cart", "orders", "help", "stop")
LANGUAGES = ("en", "zh")


def command_list(locale: str) -> list[BotCommand]:
    return [BotCommand(command=name, description=texts.text(f"cmd_{name}", locale)) for name in COMMANDS]


def set_my_commands() -> list[SetMyCommands]:
    """The command menu in English (the default for every language) and in Chinese."""
    return [
        SetMyCommands(commands=command_list("en")),
        SetMyCommands(commands=command_list("zh"), language_code="zh"),
    ]


async def _press(message: Message, channel: TelegramChannel, locale: str, action: str) -> None:
    user = message.from_user
    assert user is not None
    payload = channel.payload(message.chat.id, action)
    await channel.converse(message.chat.id, user.id, user.full_name, locale, payload=payload)


async def shop_command(message: Message, channel: TelegramChannel, locale: str) -> None:
    await _press(message, channel, locale, "cats")


async def cart_command(message: Message, channel: TelegramChannel, locale: str) -> None:
    await _press(message, channel, locale, "cart")


async def orders_command(message: Message, channel: TelegramChannel, locale: str) -> None:
    await _press(message, channel, locale, "ords")


async def help_command(message: Message, channel: TelegramChannel, locale: str) -> None:
    me = await channel.bot.me()
    await channel.say(
        message.chat.id, channel.text("help", locale, bot=me.username or "shopbot"), Renderer.main_menu(locale)
    )


async def stop_command(message: Message, channel: TelegramChannel, locale: str, customer_id: int) -> None:
    await channel.bus.handle(
        c.SetMarketingConsent(customer_id, False, "telegram:/stop", actor=Actor.shopper(customer_id))
    )
    await channel.drop_conversation(message.chat.id)
    await channel.say(message.chat.id, channel.text("stopped", locale), ReplyKeyboardRemove())


async def menu_label(message: Message, channel: TelegramChannel, locale: str) -> None:
    label = message.text or ""
    for key, action in MENU_LABELS.items():
        if label in texts.all_forms(key):
            await _press(message, channel, locale, action)
            return
    await help_command(message, channel, locale)


def router() -> Router:
    r = Router(name="commands")
    r.message.register(shop_command, Command("shop"))
    r.message.register(cart_command, Command("cart"))
    r.message.register(orders_command, Command("orders"))
    r.message.register(help_command, Command("help"))
    r.message.register(stop_command, Command("stop"))
    labels = set().union(*(texts.all_forms(k) for k in (*MENU_LABELS, "menu_help")))
    r.message.register(menu_label, F.text.in_(labels))
    return r
