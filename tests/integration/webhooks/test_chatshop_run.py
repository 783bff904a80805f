"""``chatshop run`` delivers webhooks by itself: a stock change made from the command line reaches a
subscriber, signed, while the server runs (the fan-out and the worker are wired into the runtime)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import pytest

from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.adapters.migrate import upgrade
from tests.integration.webhooks.helpers import subscribe
from tests.integration.webhooks.receiver import running_receiver

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_stock_change_reaches_the_subscriber_while_chatshop_run_serves(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    await asyncio.to_thread(upgrade, db)
    shop = build_shop(Settings(database_url=db, _env_file=None))  # type: ignore[call-arg]
    async with running_receiver() as receiver:
        _, secret = await subscribe(shop, receiver.url, "StockChanged")
        receiver.secrets.append(secret)
        await shop.bus.handle(c.CreateWarehouse("MAIN", "Main", actor=c.SYSTEM))
        await shop.bus.handle(c.UpsertProduct("Mug", (c.VariantSpec("MUG-1", 1200),), ("Home",), actor=c.SYSTEM))
        env = os.environ | {
            "CHATSHOP_DATABASE_URL": db,
            "CHATSHOP_WEBHOOKS_ALLOW_PRIVATE": "1",
            "CHATSHOP_OUTBOX_POLL_SECONDS": "0.2",
            "PYTHONPATH": str(ROOT),
        }
        for name in ("CHATSHOP_REDIS_URL", "CHATSHOP_TELEGRAM_TOKEN", "CHATSHOP_SLACK_BOT_TOKEN"):
            env.pop(name, None)
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "chatshop.cli", "run", "--port", str(free_port()), cwd=ROOT, env=env
        )
        try:
            await shop.bus.handle(c.ReceiveStock("MUG-1", "MAIN", 7, "delivery", actor=c.SYSTEM))
            await asyncio.wait_for(receiver.arrived.wait(), 60)
        finally:
            server.send_signal(signal.SIGTERM)
            await asyncio.wait_for(server.wait(), 30)
        await shop.close()
    (got,) = receiver.received
    assert got.verified_by == (secret,)
    assert got.payload["type"] == "StockChanged" and got.payload["data"]["stock"]["sku"] == "MUG-1"
