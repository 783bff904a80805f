"""Where a shopper turn's CPU goes, beside the echo turn it is measured against (bench/turns.py's ratio).

    python bench/profile_turns.py [--turns 400] [--top 20]

Profiles warm turns of bench/turns.py's shopper mix (search, product card, add to cart, show cart) and of its
echo flow through the same entry point, with cProfile, on the same migrated SQLite file and embedded NLU.
Prints, per turn: the event loop's time by area (our packages, SQLAlchemy, aiosqlite, the NLU's libraries,
asyncio, the wait for SQLite's thread) for both flows and the difference, which is what the shopper flows
cost beyond the shared entry point; the SQL statements each kind of turn sends; and the shopper mix's top
functions by cumulative time.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event

from bench.turns import SHOPPERS, add_button, echo_turns, engines, first_product, shopper_turns
from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import Inbound
from chatshop.bootstrap import Shop

OURS = ("bots", "domain", "nlu", "channels", "chatshop", "bench")


def area(filename: str, function: str) -> str:
    """The package a function's file belongs to: ours by top-level directory, a library by its name; C
    built-ins by what they are (the event loop's wait for the database thread shows as epoll)."""
    if filename == "~":
        if "epoll" in function or "select" in function:
            return "waiting (epoll): SQLite thread"
        if "acquire" in function:
            return "waiting: thread locks"
        return "C built-ins"
    path = Path(filename)
    parts = path.parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0].split("-")[0]
    for ours in OURS:
        if ours in parts:
            return ours
    if filename.startswith("<") or "python3" in filename:
        name = path.stem if "asyncio" not in parts else "asyncio"
        return "asyncio" if name == "asyncio" else "stdlib/builtins"
    return filename


def time_by_area(profile: cProfile.Profile) -> Counter[str]:
    totals: Counter[str] = Counter()
    stats: Any = pstats.Stats(profile).stats
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.items():
        totals[area(filename, function)] += tottime
    return totals


async def statements_per_kind(shop: Shop, engine: ConversationEngine) -> dict[str, int]:
    """SQL statements each kind of shopper turn sends (one warm turn each)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(statement)

    async def count(inbound: Inbound) -> tuple[int, Any]:
        seen.clear()
        event.listen(shop.engine.sync_engine, "before_cursor_execute", record)
        try:
            replies = await engine.handle(inbound)
            await shop.analytics.flush()  # the turn's analytics rows, written ~200 ms later in one batch
        finally:
            event.remove(shop.engine.sync_engine, "before_cursor_execute", record)
        return len(seen), replies

    chat = "0"  # a chat the warm-up already greeted
    kinds: dict[str, int] = {}
    kinds["search (a list)"], replies = await count(Inbound("webchat", chat, chat, text="mugs"))
    card = first_product(replies)
    assert card is not None, "the search found no list to open a product from"
    kinds["product card"], replies = await count(Inbound("webchat", chat, chat, payload=card))
    add = add_button(replies)
    assert add is not None, "the card has no add button"
    kinds["add to cart"], _ = await count(Inbound("webchat", chat, chat, payload=add))
    kinds["show cart"], _ = await count(Inbound("webchat", chat, chat, text="show my cart"))
    return kinds


async def profiled(flow: Any, engine: ConversationEngine, turns: int) -> tuple[cProfile.Profile, float, float]:
    profile = cProfile.Profile()
    started, cpu = time.perf_counter(), time.process_time()
    profile.enable()
    await flow(engine, turns)
    profile.disable()
    return profile, time.perf_counter() - started, time.process_time() - cpu


async def run(turns: int, top: int) -> str:
    out = io.StringIO()
    async with engines() as (shop, shopper, echo):
        kinds = await statements_per_kind(shop, shopper)
        shop_profile, shop_wall, shop_cpu = await profiled(shopper_turns, shopper, turns)
        echo_profile, echo_wall, echo_cpu = await profiled(echo_turns, echo, turns)
    shop_areas, echo_areas = time_by_area(shop_profile), time_by_area(echo_profile)
    out.write(
        f"{turns} warm turns per flow, {SHOPPERS} chats, SQLite, embedded NLU, under cProfile (which adds its own "
        f"cost; bench/turns.py gives the unprofiled rates)\n"
        f"shopper mix: {shop_wall / turns * 1000:.2f} ms wall, {shop_cpu / turns * 1000:.2f} ms CPU per turn; "
        f"echo: {echo_wall / turns * 1000:.2f} ms wall, {echo_cpu / turns * 1000:.2f} ms CPU per turn\n\n"
    )
    out.write(f"{'time per turn by area (ms)':<32}{'shopper':>10}{'echo':>10}{'shopper - echo':>16}\n")
    for name in sorted(set(shop_areas) | set(echo_areas), key=lambda a: -(shop_areas[a] - echo_areas[a])):
        s, e = shop_areas[name] / turns * 1000, echo_areas[name] / turns * 1000
        if max(s, e) >= 0.01:
            out.write(f"{name:<32}{s:>10.2f}{e:>10.2f}{s - e:>16.2f}\n")
    s_total, e_total = sum(shop_areas.values()) / turns * 1000, sum(echo_areas.values()) / turns * 1000
    out.write(f"{'total':<32}{s_total:>10.2f}{e_total:>10.2f}{s_total - e_total:>16.2f}\n\n")
    builtins = sorted(
        ((v[2], k[2]) for k, v in pstats.Stats(shop_profile).stats.items() if k[0] == "~"),  # type: ignore[attr-defined]
        reverse=True,
    )[:6]
    out.write("largest C built-ins of the shopper mix (ms per turn): ")
    out.write(", ".join(f"{name} {t / turns * 1000:.2f}" for t, name in builtins) + "\n\n")
    out.write("SQL statements per shopper turn (analytics batch included): ")
    out.write(", ".join(f"{kind} {n}" for kind, n in kinds.items()) + "\n\n")
    out.write("Shopper mix, top functions by cumulative time:\n")
    pstats.Stats(shop_profile, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=400, help="profiled turns per flow (default 400)")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    print(asyncio.run(run(args.turns, args.top)))


if __name__ == "__main__":
    main()
