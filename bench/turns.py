"""Shopper turns per second through the conversation engine (embedded NLU, SQLite), beside an echo flow.

    python bench/turns.py [--turns 1200] [--json]

Each simulated shopper repeats a realistic mix: a free-text search, opening a product card, adding to
the cart, and "show my cart" — every turn through `ConversationEngine.handle` with the real embedded
NLU, state store, analytics and a migrated SQLite file. The echo flow goes through the same entry point
(identity, state, NLU, analytics) but its flow only repeats the text, so the ratio
(shopper turns/s ÷ echo turns/s) is what the shopper flows themselves cost. Runs in a temp directory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bots.conversation.engine import ConversationEngine
from bots.conversation.factory import build_conversation_engine
from bots.conversation.messages import Inbound, ProductList, Reply, Text
from bots.conversation.turn import Router, Turn
from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.adapters.migrate import upgrade
from nlu.embedded import EmbeddedEngine
from nlu.embedded.model import DEFAULT_CACHE_DIR
from nlu.interface import INTENTS, NluEngine, ParseResult

SEARCHES = ["show me red shoes", "blue shoes", "mugs", "stride shoes under 100", "white mug", "running shoes"]
SHOPPERS = 20
NLU_CACHE = Path(__file__).resolve().parents[1] / DEFAULT_CACHE_DIR


async def seed(shop: Shop) -> None:
    bus = shop.bus
    await bus.handle(c.CreateWarehouse("MAIN", "Main", priority=1, actor=c.SYSTEM))
    for name, category, brand, variants in [
        ("Stride Running Shoes", ("Shoes",), "Stride", [("SHOE-RED-42", 8000, {"color": "red", "size": "42"}),
                                                        ("SHOE-BLU-42", 8000, {"color": "blue", "size": "42"})]),
        ("Stride Trail Shoes", ("Shoes",), "Stride", [("TRAIL-RED-43", 9500, {"color": "red", "size": "43"})]),
        ("Hearth Ceramic Mug", ("Home", "Mugs"), "Hearth", [("MUG-WHT", 1200, {"color": "white"})]),
        ("Hearth Travel Mug", ("Home", "Mugs"), "Hearth", [("MUG-BLK", 1900, {"color": "black"})]),
    ]:  # fmt: skip
        specs = tuple(c.VariantSpec(sku, price, options) for sku, price, options in variants)
        await bus.handle(c.UpsertProduct(name, specs, category, brand=brand, actor=c.SYSTEM))
        for sku, _price, _options in variants:
            await bus.handle(c.ReceiveStock(sku, "MAIN", 1_000_000, actor=c.SYSTEM))


def echo_router() -> Router:
    async def echo(turn: Turn, parse: ParseResult) -> list[Reply]:
        return [Text(parse.text)]

    return Router(intents=dict.fromkeys(INTENTS, echo))


def first_product(replies: list[Reply]) -> str | None:
    """The first product of a result list (None when the search opened a card directly)."""
    for reply in replies:
        if isinstance(reply, ProductList) and reply.items:
            return reply.items[0].button.payload
    return None


def add_button(replies: list[Reply]) -> str | None:
    for reply in replies:
        for button in reply.all_buttons():
            if button.payload and button.label == "Add to cart":
                return button.payload
    return None


async def shopper_turns(engine: ConversationEngine, turns: int) -> list[float]:
    latencies: list[float] = []
    step = 0
    while len(latencies) < turns:
        chat = str(step % SHOPPERS)
        search = SEARCHES[step % len(SEARCHES)]
        step += 1
        replies = await timed(engine, Inbound("webchat", chat, chat, text=search), latencies)
        payload = first_product(replies)
        if payload is not None:
            replies = await timed(engine, Inbound("webchat", chat, chat, payload=payload), latencies)
        add = add_button(replies)
        if add is not None:
            await timed(engine, Inbound("webchat", chat, chat, payload=add), latencies)
        await timed(engine, Inbound("webchat", chat, chat, text="show my cart"), latencies)
    return latencies[:turns]


async def echo_turns(engine: ConversationEngine, turns: int) -> list[float]:
    latencies: list[float] = []
    texts = [*SEARCHES, "show my cart"]
    for i in range(turns):
        chat = str(i % SHOPPERS)
        await timed(engine, Inbound("webchat", chat, chat, text=texts[i % len(texts)]), latencies)
    return latencies


async def timed(engine: ConversationEngine, inbound: Inbound, latencies: list[float]) -> list[Reply]:
    started = time.perf_counter()
    replies = await engine.handle(inbound)
    latencies.append(time.perf_counter() - started)
    return replies


def summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    total = sum(latencies)
    return {
        "turns": len(latencies),
        "turns_per_s": round(len(latencies) / total, 1),
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000, 2),
    }


@asynccontextmanager
async def engines() -> AsyncIterator[tuple[Shop, ConversationEngine, ConversationEngine]]:
    """A seeded shop on a migrated SQLite file in a temp directory, with the shopper engine and the echo engine,
    both warmed (identities, caches, SQLite pages)."""
    nlu: NluEngine = EmbeddedEngine.load(cache_dir=NLU_CACHE)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        shop = build_shop(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
        try:
            await seed(shop)
            secret = shop.settings.secret_key.get_secret_value()
            shopper = build_conversation_engine(bus=shop.bus, views=shop.views, clock=shop.clock, nlu=nlu,
                                                secret_key=secret, uow_factory=shop.bus.ctx.uow)  # fmt: skip
            echo = build_conversation_engine(bus=shop.bus, views=shop.views, clock=shop.clock, nlu=nlu,
                                             secret_key=secret, uow_factory=shop.bus.ctx.uow)  # fmt: skip
            echo.router = echo_router()
            await shopper_turns(shopper, 40)
            await echo_turns(echo, 40)
            yield shop, shopper, echo
        finally:
            await shop.close()


async def run(turns: int) -> dict[str, Any]:
    async with engines() as (_shop, shopper, echo):
        shop_stats = summary(await shopper_turns(shopper, turns))
        echo_stats = summary(await echo_turns(echo, turns))
    ratio = round(shop_stats["turns_per_s"] / echo_stats["turns_per_s"], 3)
    return {"shopper": shop_stats, "echo": echo_stats, "ratio": ratio, "database": "sqlite", "nlu": "embedded"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1200, help="turns per flow (default 1200)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = asyncio.run(run(args.turns))
    if args.json:
        print(json.dumps(result))
        return
    print(f"{'flow':<10}{'turns':>8}{'turns/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name in ("shopper", "echo"):
        s = result[name]
        print(f"{name:<10}{s['turns']:>8}{s['turns_per_s']:>10}{s['p50_ms']:>10}{s['p99_ms']:>10}")
    print(f"ratio (shopper turns/s / echo turns/s): {result['ratio']}")


if __name__ == "__main__":
    main()
