"""Telegram webhook updates per second through the whole stack, beside a bare aiogram echo bot.

    python bench/telegram_updates.py [--rounds 4] [--shoppers 20] [--json]

Both bots sit on one aiohttp server on loopback and answer a fake Bot API server (tests/support/
fake_telegram.py, also on loopback), and every update is a real HTTP POST with the secret header:

- shop: ``/webhooks/telegram`` -> secret check, update-id dedupe -> aiogram dispatcher (error, throttle
  and identity middlewares, routers) -> conversation engine (embedded NLU, state) -> domain on a
  migrated SQLite file -> renderer -> sender -> fake Bot API;
- echo: ``/webhooks/echo`` -> the same webhook handler class -> a bare aiogram Dispatcher whose only
  handlers echo the text (``sendMessage``) and answer button presses.

Each shopper repeats a realistic round: /start, a free-text search, opening a product, adding it to the
cart, /cart, an inline query. The echo bot gets the same updates. The sender's per-chat and global
limits are lifted for both (they cap what Telegram accepts, not what we can process). ``ratio`` is shop
updates/s ÷ echo updates/s: what our stack costs over aiogram's own path.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
from aiogram import Dispatcher, F
from aiogram.methods import AnswerCallbackQuery, SendMessage
from aiogram.types import CallbackQuery, Message
from aiohttp import web
from aiohttp.test_utils import TestServer
from rich.console import Console
from rich.table import Table

from bots.conversation.factory import build_conversation_engine
from channels.telegram import build_telegram, mount
from channels.telegram.channel import TelegramConfig, build_bot
from channels.telegram.dedupe import MemoryDedupe
from channels.telegram.sender import TelegramSender
from channels.telegram.webhook import SECRET_HEADER, WebhookHandler
from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from chatshop.subscribers.channels import subscribe_telegram
from chatshop.web import create_app
from domain import commands as c
from domain.adapters.migrate import upgrade
from nlu.embedded import EmbeddedEngine
from nlu.embedded.model import DEFAULT_CACHE_DIR
from tests.support.fake_telegram import TOKEN, FakeTelegram, Updates

NLU_CACHE = Path(__file__).resolve().parents[1] / DEFAULT_CACHE_DIR
SECRET = "bench-secret"
SEARCHES = ["show me red shoes", "blue shoes", "mugs", "white mug", "running shoes"]


async def seed(shop: Shop) -> None:
    bus = shop.bus
    await bus.handle(c.CreateWarehouse("MAIN", "Main", priority=1, actor=c.SYSTEM))
    await bus.handle(c.CreateShippingMethod("standard", "Standard", 500, actor=c.SYSTEM))
    for name, category, variants in [
        ("Stride Running Shoes", ("Shoes",), [("SHOE-RED-42", 8000, {"color": "red", "size": "42"}),
                                              ("SHOE-BLU-42", 8000, {"color": "blue", "size": "42"})]),
        ("Stride Trail Shoes", ("Shoes",), [("TRAIL-RED-43", 9500, {"color": "red", "size": "43"})]),
        ("Hearth Ceramic Mug", ("Home", "Mugs"), [("MUG-WHT", 1200, {"color": "white"})]),
    ]:  # fmt: skip
        specs = tuple(c.VariantSpec(sku, price, options) for sku, price, options in variants)
        await bus.handle(c.UpsertProduct(name, specs, category, images=("/media/p.png",), actor=c.SYSTEM))
        for sku, _price, _options in variants:
            await bus.handle(c.ReceiveStock(sku, "MAIN", 1_000_000, actor=c.SYSTEM))


def echo_dispatcher() -> Dispatcher:
    dp = Dispatcher()

    async def echo(message: Message) -> None:
        assert message.bot is not None
        await message.bot(SendMessage(chat_id=message.chat.id, text=message.text or "?"))

    async def pressed(query: CallbackQuery) -> None:
        assert query.bot is not None
        await query.bot(AnswerCallbackQuery(callback_query_id=query.id))

    dp.message.register(echo, F.text)
    dp.callback_query.register(pressed)
    dp.inline_query.register(lambda query: None)
    return dp


class Shopper:
    """One Telegram user going through the round; presses the buttons the shop bot actually sent."""

    def __init__(self, user_id: int, fake: FakeTelegram) -> None:
        self.updates = Updates(user_id, f"Shopper{user_id}")
        self.user_id = user_id
        self.fake = fake
        self.n = 0

    def _button(self, label: str) -> str:
        for call in reversed(self.fake.messages_to(self.user_id)):
            for button in call.buttons():
                if label.lower() in button["text"].lower() and "callback_data" in button:
                    return str(button["callback_data"])
        return "1.m~forgedmac00"  # nothing to press (echo bot): a realistic stale button

    def round(self) -> list[Any]:
        """Update builders, called lazily so presses use the latest messages."""
        self.n += 1
        search = SEARCHES[(self.user_id + self.n) % len(SEARCHES)]
        return [
            lambda: self.updates.text("/start"),
            lambda: self.updates.text(search),
            lambda: self.updates.press(self._button("Stride") if "shoes" in search else self._button("Mug")),
            lambda: self.updates.press(self._button("Add to cart")),
            lambda: self.updates.text("/cart"),
            lambda: self.updates.inline("mug"),
        ]


async def drive(client: aiohttp.ClientSession, url: str, shoppers: list[Shopper], rounds: int) -> tuple[int, float]:
    async def one(shopper: Shopper) -> int:
        done = 0
        for _ in range(rounds):
            for build in shopper.round():
                async with client.post(url, json=build(), headers={SECRET_HEADER: SECRET}) as response:
                    assert response.status == 200, await response.text()
                done += 1
        return done

    started = time.perf_counter()
    counts = await asyncio.gather(*(one(s) for s in shoppers))
    return sum(counts), time.perf_counter() - started


async def run(rounds: int, shoppers: int, workdir: Path) -> dict[str, Any]:
    db = workdir / "bench.db"
    await asyncio.to_thread(upgrade, f"sqlite+aiosqlite:///{db}")
    shop = build_shop(Settings(database_url=f"sqlite+aiosqlite:///{db}", _env_file=None))  # type: ignore[call-arg]
    await seed(shop)
    nlu = EmbeddedEngine.load(cache_dir=NLU_CACHE)
    async with FakeTelegram() as fake:
        config = TelegramConfig(token=TOKEN, webhook_secret=SECRET, api_url=fake.url, base_url="https://shop.example",
                                secret_key="bench")  # fmt: skip
        engine = build_conversation_engine(bus=shop.bus, views=shop.views, clock=shop.clock, nlu=nlu,
                                           secret_key="bench", uow_factory=shop.bus.ctx.uow)  # fmt: skip
        unlimited = {"rate_per_second": 100_000, "chat_per_second": 100_000.0, "chat_burst": 1000}
        sender = TelegramSender(build_bot(config), **unlimited)  # type: ignore[arg-type]
        telegram = build_telegram(shop, engine, config, sender, MemoryDedupe(), throttle=(10_000, 1.0))
        echo_bot = build_bot(config)
        echo = WebhookHandler(echo_bot, echo_dispatcher(), SECRET, MemoryDedupe())

        def mounts(app: web.Application, s: Shop) -> None:
            mount(app, s, telegram)
            subscribe_telegram(s, telegram)
            app.router.add_post("/webhooks/echo", echo.handle)

        media = workdir / "media"
        server = TestServer(create_app(shop, [mounts], media_dir=media), host="127.0.0.1")
        await server.start_server()
        base = f"http://127.0.0.1:{server.port}"
        results: dict[str, Any] = {}
        try:
            async with aiohttp.ClientSession() as client:
                # Warm-up: NLU caches, SQLAlchemy compiled statements, aiohttp connections.
                await drive(client, base + "/webhooks/telegram", [Shopper(90_000 + i, fake) for i in range(4)], 1)
                await drive(client, base + "/webhooks/echo", [Shopper(91_000 + i, fake) for i in range(4)], 1)
                for name, path, first_id in (
                    ("shop", "/webhooks/telegram", 10_000),
                    ("echo", "/webhooks/echo", 50_000),
                ):
                    people = [Shopper(first_id + i, fake) for i in range(shoppers)]
                    before = len(fake.calls)
                    count, seconds = await drive(client, base + path, people, rounds)
                    calls = len(fake.calls) - before
                    results[name] = {"updates": count, "seconds": round(seconds, 3),
                                     "per_second": round(count / seconds, 1), "api_calls": calls}  # fmt: skip
        finally:
            await server.close()
            await telegram.close()
            await echo_bot.session.close()
            await shop.close()
    results["ratio"] = round(results["shop"]["per_second"] / results["echo"]["per_second"], 4)
    results["shoppers"], results["rounds"] = shoppers, rounds
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4, help="rounds of six updates per shopper")
    parser.add_argument("--shoppers", type=int, default=20, help="concurrent Telegram users")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(run(args.rounds, args.shoppers, Path(tmp)))
    if args.json:
        print(json.dumps(results))
        return
    table = Table("path", "updates", "seconds", "updates/s", "Bot API calls",
                  title=f"Telegram webhook, {args.shoppers} shoppers x {args.rounds} rounds")  # fmt: skip
    for name, label in (("shop", "shop (aiogram + engine + SQLite)"), ("echo", "bare aiogram echo")):
        r = results[name]
        table.add_row(label, str(r["updates"]), f"{r['seconds']:.2f}", f"{r['per_second']:.1f}", str(r["api_calls"]))
    Console().print(table)
    Console().print(f"ratio shop/echo: {results['ratio']:.3f}")


if __name__ == "__main__":
    main()
