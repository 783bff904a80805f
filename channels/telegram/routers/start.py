"""/start, with deep links: ``p_<sku>`` opens a product card, ``c_<token>`` resumes a web-chat cart."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import Message

from channels.telegram.channel import CHANNEL, TelegramChannel
from channels.telegram.deeplinks import parse_start
from domain import commands as c
from domain.errors import DomainError
from domain.model.customers import Channel
from domain.model.staff import Actor


async def start(
    message: Message, command: CommandObject, channel: TelegramChannel, customer_id: int, locale: str
) -> None:
    user = message.from_user
    assert user is not None
    chat_id = message.chat.id
    # Whoever sends /start can be reached again (after unblocking the bot, Telegram shows "Restart").
    await channel.bus.handle(c.SetChannelReachable(customer_id, CHANNEL, reachable=True))
    arg = parse_start(command.args)
    if arg.kind == "product":
        product = await channel.views.product(sku=arg.value) or await channel.views.product(slug=arg.value.lower())
        if product is None or not product.active:
            await channel.menu(chat_id, user.id, user.full_name, locale, channel.text("product_missing", locale))
            return
        # A SKU link opens the card with that variant chosen; a slug link with nothing chosen yet.
        variant = next((v for v in product.variants if v.sku.casefold() == arg.value.casefold()), None)
        ids = (product.id, variant.id) if variant is not None else (product.id,)
        await channel.converse(chat_id, user.id, user.full_name, locale, payload=channel.payload(chat_id, "p", *ids))
        return
    if arg.kind == "cart":
        await resume_cart(message, arg.value, channel, locale)
        return
    await channel.converse(chat_id, user.id, user.full_name, locale, text="hello", with_menu_keyboard=True)


async def resume_cart(message: Message, token: str, channel: TelegramChannel, locale: str) -> None:
    user = message.from_user
    assert user is not None
    web_customer = channel.cart_tokens.verify(token, channel.clock.now())
    if web_customer is None:
        await channel.menu(message.chat.id, user.id, user.full_name, locale, channel.text("cart_link_bad", locale))
        return
    try:
        # The token proves the shopper is that web customer: link this Telegram account to them (carts merge).
        await channel.bus.handle(
            c.LinkIdentity(web_customer, Channel.TELEGRAM, str(user.id), actor=Actor.shopper(web_customer))
        )
    except DomainError:
        await channel.menu(message.chat.id, user.id, user.full_name, locale, channel.text("cart_link_bad", locale))
        return
    channel.forget_customer(user.id)
    await channel.drop_conversation(message.chat.id)  # its state still names the merged-away customer
    await channel.say(message.chat.id, channel.text("cart_linked", locale))
    await channel.converse(
        message.chat.id, user.id, user.full_name, locale, payload=channel.payload(message.chat.id, "cart")
    )


def router() -> Router:
    r = Router(name="start")
    r.message.register(start, CommandStart())
    return r
