"""Two real ``chatshop run`` processes on one database, each with its own metrics port and JSON logs.

Each process is its own Prometheus target (chatshop/metrics.py says why not multiprocess mode): a turn
handled by one shows in that one's series only, while the shop-wide gauges read from the database agree.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import insert

from chatshop.metrics import sample
from domain.adapters.db import create_engine
from domain.adapters.orm import outbox

ROOT = Path(__file__).resolve().parents[2]
NLU_CACHE = ROOT / "var" / "nlu"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def add_dead_event(url: str) -> None:
    engine = create_engine(url)
    now = datetime.now(UTC)
    async with engine.begin() as conn:
        await conn.execute(
            insert(outbox).values(event_id="dead-1", name="StockChanged", payload={}, created_at=now,
                                  available_at=now, attempts=25, last_error="boom", dead_at=now)
        )  # fmt: skip
    await engine.dispose()


class Shop:
    def __init__(self, proc: asyncio.subprocess.Process, port: int, metrics_port: int, log: Path) -> None:
        self.proc, self.port, self.metrics_port, self.log = proc, port, metrics_port, log

    async def metrics(self, http: aiohttp.ClientSession) -> str:
        async with http.get(f"http://127.0.0.1:{self.metrics_port}/metrics") as response:
            assert response.status == 200
            return await response.text()


async def start(url: str, tmp: Path, name: str) -> Shop:
    port, metrics_port = free_port(), free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CHATSHOP_DATABASE_URL": url,
        "CHATSHOP_HTTP_PORT": str(port),
        "CHATSHOP_METRICS_PORT": str(metrics_port),
        "CHATSHOP_LOG_FORMAT": "json",
        "CHATSHOP_NLU_CACHE": str(NLU_CACHE),
    }
    env.pop("CHATSHOP_METRICS_TOKEN", None)
    log = tmp / f"{name}.log"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "chatshop.cli", "run", cwd=tmp, env=env, stderr=log.open("wb"), stdout=log.open("ab")
    )
    return Shop(proc, port, metrics_port, log)


async def ready(shop: Shop, http: aiohttp.ClientSession, seconds: float = 120) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        assert shop.proc.returncode is None, shop.log.read_text()
        try:
            async with http.get(f"http://127.0.0.1:{shop.port}/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.5)
    raise AssertionError(f"not ready: {shop.log.read_text()[-2000:]}")


@pytest.fixture
async def two_shops(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[list[Shop]]:
    path = tmp_path / "shop.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    await add_dead_event(url)
    shops = [await start(url, tmp_path, name) for name in ("a", "b")]
    try:
        yield shops
    finally:
        for shop in shops:
            if shop.proc.returncode is None:
                shop.proc.terminate()
        for shop in shops:
            await asyncio.wait_for(shop.proc.wait(), 30)


@pytest.mark.slow
async def test_each_process_serves_its_own_series_and_the_same_shop_wide_gauges(two_shops: list[Shop]) -> None:
    a, b = two_shops
    async with aiohttp.ClientSession() as http:
        await asyncio.gather(ready(a, http), ready(b, http))
        async with http.get(f"http://127.0.0.1:{a.port}/metrics") as response:
            assert response.status == 404  # with a metrics port, the shop's own port has none
        async with http.ws_connect(f"http://127.0.0.1:{a.port}/chat/ws") as ws:
            await ws.send_json({"type": "hello", "session": None, "locale": "en-US"})
            assert (await ws.receive_json(timeout=30))["type"] == "welcome"
            assert (await ws.receive_json(timeout=30))["type"] == "replies"  # the greeting: one turn
        seen_a, seen_b = await a.metrics(http), await b.metrics(http)
    assert sample(seen_a, "chatshop_turn_seconds_count", {"channel": "webchat"}) == 1
    assert sample(seen_b, "chatshop_turn_seconds_count", {"channel": "webchat"}) is None
    for seen in (seen_a, seen_b):
        assert sample(seen, "chatshop_outbox_dead") == 1  # the shop's, read from the database by each
        assert sample(seen, "process_start_time_seconds") is not None
    for shop in two_shops:
        shop.proc.terminate()
        assert await asyncio.wait_for(shop.proc.wait(), 30) == 0
    lines = [json.loads(line) for line in a.log.read_text().splitlines() if line.startswith("{")]
    assert lines and all("event" in line and "level" in line for line in lines)
    assert any(line["event"].startswith("metrics on http://127.0.0.1:") for line in lines)
    assert not [line for line in a.log.read_text().splitlines() if line.strip() and not line.startswith("{")]
