"""A Chinese shopper's payment notice names what was paid for in Chinese, on the web chat and on Telegram
alike; an English shopper's names the English product (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from bots.conversation.messages import Inbound
from channels.webchat.server import ENGINE_KEY
from domain import commands as c
from domain.commands import SYSTEM
from domain.model.customers import Channel
from domain.model.staff import Actor
from tests.integration.telegram.test_shopper_notices import TELEGRAM_CHAT, WEB_CHAT, Both, both, pay
from tests.integration.test_catalog_translations import translate_small_shop
from tests.support.shopdata import ADDRESS, SmallShop

__all__ = ["both"]  # the fixture: a web chat and a Telegram bot on one app
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


async def buy_red_shoes(both: Both, channel: Channel, external_id: str, locale: str) -> int:
    customer = int(await both.shop.bus.handle(c.IdentifyCustomer(channel, external_id, "Mei")))
    await both.shop.bus.handle(c.UpdateCustomer(customer, locale=locale, actor=SYSTEM))
    shopper = Actor.shopper(customer)
    await both.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 1, actor=shopper))
    order = int(await both.shop.bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", channel.value, actor=shopper)))
    await pay(both.shop, order)
    return order


async def test_the_payment_notice_names_the_shoes_in_chinese_on_both_channels(both: Both) -> None:
    await translate_small_shop_of(both)
    # The web chat speaks the language the chat was held in (Telegram the profile's, until the chat speaks).
    greeting = Inbound("webchat", WEB_CHAT, WEB_CHAT, "Mei", text="你好", locale="zh-CN")
    assert await both.app[ENGINE_KEY].handle(greeting)
    web_order = await buy_red_shoes(both, Channel.WEBCHAT, WEB_CHAT, "zh")
    tg_order = await buy_red_shoes(both, Channel.TELEGRAM, str(TELEGRAM_CHAT), "zh")
    while await both.shop.outbox.drain():
        pass
    web = [t for t in await both.web_texts() if f"#{web_order}" in t and "付款" in t]
    telegram = [t for t in both.telegram_texts() if f"#{tg_order}" in t and "付款" in t]
    assert len(web) == 1 and "1 x Stride 女款轻量跑鞋 (红色 / 42)" in web[0], web
    assert len(telegram) == 1 and "1 x Stride 女款轻量跑鞋 (红色 / 42)" in telegram[0], telegram


async def test_an_english_shoppers_payment_notice_keeps_the_english_name(both: Both) -> None:
    await translate_small_shop_of(both)
    order = await buy_red_shoes(both, Channel.TELEGRAM, str(TELEGRAM_CHAT), "en")
    while await both.shop.outbox.drain():
        pass
    paid = [t for t in both.telegram_texts() if f"Payment received for order #{order}" in t]
    assert len(paid) == 1 and "1 x Stride Running Shoes (red / 42)" in paid[0], paid


async def translate_small_shop_of(both: Both) -> None:
    await translate_small_shop(SmallShop(both.shop))  # the fixture's small shop, given Chinese names
