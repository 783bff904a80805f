"""The shop's aiohttp app with the Telegram channel mounted, on loopback, against a fake Bot API server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bots.conversation.factory import build_conversation_engine
from channels.telegram import TelegramApp, build_telegram, mount
from channels.telegram.channel import TelegramConfig, build_bot
from channels.telegram.dedupe import MemoryDedupe
from channels.telegram.sender import TelegramSender
from channels.telegram.webhook import PATH, SECRET_HEADER
from chatshop.bootstrap import Shop
from chatshop.subscribers.channels import subscribe_telegram
from chatshop.web import create_app
from domain import commands as c
from nlu.embedded import EmbeddedEngine
from nlu.embedded.model import DEFAULT_CACHE_DIR
from nlu.interface import NluEngine
from tests.support.fake_telegram import TOKEN, Call, FakeTelegram, Updates
from tests.support.shopdata import SmallShop

NLU_CACHE = Path(__file__).resolve().parents[3] / DEFAULT_CACHE_DIR
SECRET = "webhook-secret-for-tests"
BASE_URL = "https://shop.example"


@pytest.fixture(scope="session")
def nlu_engine() -> NluEngine:
    return EmbeddedEngine.load(cache_dir=NLU_CACHE)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


def config_for(fake: FakeTelegram, provider_token: str | None = "PROVIDER-TOKEN") -> TelegramConfig:
    return TelegramConfig(token=TOKEN, webhook_secret=SECRET, api_url=fake.url, provider_token=provider_token,
                          base_url=BASE_URL, secret_key="test-secret")  # fmt: skip


def make_telegram(shop: Shop, fake: FakeTelegram, nlu: NluEngine, **sender_options: Any) -> TelegramApp:
    config = config_for(fake)
    engine = build_conversation_engine(
        bus=shop.bus, views=shop.views, clock=shop.clock, nlu=nlu, secret_key=config.secret_key,
        currency=shop.settings.currency, tax_rate_bp=shop.settings.tax_rate_bp, uow_factory=shop.bus.ctx.uow,
    )  # fmt: skip
    options = {"chat_per_second": 50.0, "chat_burst": 10, "backoff_seconds": 0.05} | sender_options
    sender = TelegramSender(build_bot(config), config.rate_per_second, **options)
    return build_telegram(shop, engine, config, sender=sender, dedupe=MemoryDedupe())


async def add_pictured_product(shop: Shop) -> None:
    await shop.bus.handle(
        c.UpsertProduct(
            "Trail Hiking Boots",
            (c.VariantSpec("BOOT-BRN-43", 12000, {"color": "brown", "size": "43"}),
             c.VariantSpec("BOOT-BLK-43", 12500, {"color": "black", "size": "43"})),
            ("Shoes",), slug="trail-hiking-boots", brand="Trail", images=("/media/products/boots.png",), actor=c.SYSTEM,
        )
    )  # fmt: skip
    await shop.bus.handle(c.ReceiveStock("BOOT-BRN-43", "EAST", 4, actor=c.SYSTEM))
    await shop.bus.handle(c.ReceiveStock("BOOT-BLK-43", "EAST", 2, actor=c.SYSTEM))


@dataclass
class Bot:
    """The shop's webhook as Telegram sees it: post updates, then look at what the bot sent the fake."""

    client: TestClient[Any, Any]
    fake: FakeTelegram
    telegram: TelegramApp
    shop: Shop

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        response = await self.client.post(PATH, json=update, headers=headers)
        return response.status

    async def send(self, update: dict[str, Any]) -> list[Call]:
        """Post one update (must be accepted) and return the calls the bot made while handling it."""
        before = len(self.fake.calls)
        assert await self.post(update) == 200
        return self.fake.calls[before:]


def messages(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method in ("sendMessage", "sendPhoto", "sendInvoice", "editMessageText",
                                              "editMessageMedia")]  # fmt: skip


def find(calls: list[Call], label: str) -> tuple[Call, dict[str, Any]]:
    """The (last) message carrying a button whose label contains ``label``, and that button."""
    for call in reversed(calls):
        for button in call.buttons():
            if label.lower() in button["text"].lower():
                return call, button
    raise AssertionError(f"no {label!r} button in {[c.text[:60] for c in calls]}")


@pytest.fixture
async def bot(small: SmallShop, fake: FakeTelegram, nlu_engine: NluEngine) -> AsyncIterator[Bot]:
    await add_pictured_product(small.shop)
    telegram = make_telegram(small.shop, fake, nlu_engine)

    def mount_telegram(app: web.Application, shop: Shop) -> None:
        mount(app, shop, telegram)
        subscribe_telegram(shop, telegram)

    async with TestClient(TestServer(create_app(small.shop, [mount_telegram]))) as client:
        yield Bot(client, fake, telegram, small.shop)


@pytest.fixture
def ann() -> Updates:
    return Updates(5001, "Ann", "en")
