"""Resuming a web-chat cart by deep link, the Bot API setup calls, long polling, and the Redis dedupe."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from channels.telegram.dedupe import RedisDedupe
from channels.telegram.deeplinks import CartTokens, parse_start
from channels.telegram.setup import poll, set_webhook
from domain import commands as c
from domain.model.customers import Channel
from domain.model.staff import Actor
from tests.integration.telegram.conftest import SECRET, Bot, messages
from tests.support.clock import FakeClock
from tests.support.fake_telegram import FakeTelegram, Updates
from tests.support.services import redis_url


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_cart_token_from_the_web_chat_brings_the_cart_into_telegram(bot: Bot, ann: Updates) -> None:
    web = int(await bot.shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "w-abc", "Ann")))
    await bot.shop.bus.handle(c.AddToCart(web, "MUG-WHT", 2, actor=Actor.shopper(web)))
    await bot.send(ann.text("/start"))  # Ann already talked to the bot: two customers get merged
    token = bot.telegram.channel.cart_tokens.issue(web, bot.shop.clock.now())
    assert len(token) <= 64
    sent = messages(await bot.send(ann.text(f"/start {token}")))
    assert "moved your cart" in sent[0].text
    assert "2 × Hearth Ceramic Mug" in sent[1].text
    assert await bot.telegram.channel.customer_for(ann.user_id) == web


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_forged_or_expired_cart_token_is_refused_politely(bot: Bot, ann: Updates, clock: FakeClock) -> None:
    web = int(await bot.shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "w-abc", "Ann")))
    forged = CartTokens("another-secret").issue(web, clock.now())
    sent = messages(await bot.send(ann.text(f"/start {forged}")))
    assert "expired or is not valid" in sent[0].text
    token = bot.telegram.channel.cart_tokens.issue(web, clock.now())
    clock.advance(hours=3)
    sent = messages(await bot.send(ann.text(f"/start {token}")))
    assert "expired or is not valid" in sent[0].text
    assert await bot.telegram.channel.customer_for(ann.user_id) != web


def test_start_parameters_are_parsed_strictly() -> None:
    assert parse_start("p_SHOE-RED-42").kind == "product"
    assert parse_start("p_bad sku").kind == ""
    assert parse_start("c_1_2_xxxxxxxxxxxx").kind == "cart"
    assert parse_start(None).kind == ""


async def test_set_webhook_registers_the_url_with_its_secret_and_the_commands_in_english_and_chinese(
    fake: FakeTelegram,
) -> None:
    from channels.telegram.channel import build_bot
    from tests.integration.telegram.conftest import config_for

    bot = build_bot(config_for(fake))
    try:
        url = await set_webhook(bot, "https://shop.example/", SECRET)
    finally:
        await bot.session.close()
    assert url == "https://shop.example/webhooks/telegram"
    assert fake.webhook is not None and fake.webhook["url"] == url and fake.webhook["secret_token"] == SECRET
    commands = fake.sent("setMyCommands")
    assert [call.params.get("language_code") for call in commands] == [None, "zh"]
    assert [cmd["command"] for cmd in commands[0].params["commands"]] == ["start", "shop", "cart", "orders", "help",
                                                                         "stop"]  # fmt: skip
    assert commands[1].params["commands"][2]["description"] == "查看购物车"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_long_polling_gets_updates_and_answers_them(bot: Bot, ann: Updates) -> None:
    task = asyncio.create_task(poll(bot.telegram.bot, bot.telegram.dispatcher, polling_timeout=1))
    try:
        bot.fake.push_update(ann.text("/start"))
        for _ in range(100):
            if bot.fake.messages_to(ann.user_id):
                break
            await asyncio.sleep(0.05)
        [greeting] = bot.fake.messages_to(ann.user_id)
        assert "Hello Ann" in greeting.text
        assert bot.fake.sent("deleteWebhook") and bot.fake.sent("getUpdates")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@pytest.mark.redis
async def test_the_redis_dedupe_claims_an_update_once_and_gives_it_back_on_failure() -> None:
    dedupe = RedisDedupe.from_url(redis_url())
    key = "test:update:42"
    try:
        await dedupe.release(key)
        assert await dedupe.claim(key) is True
        assert await dedupe.claim(key) is False
        await dedupe.release(key)
        assert await dedupe.claim(key) is True
    finally:
        await dedupe.release(key)
        await dedupe.close()
