"""Webhook fan-out: signed deliveries per second to a local receiver, beside a bare aiohttp POST loop.

    python bench/webhooks.py [--deliveries 2000] [--subscriptions 4] [--url postgresql://…] [--json] [--smoke]

Events are fanned out to every subscription (one delivery row each, as the outbox subscriber makes them),
then one ``WebhookWorker`` claims, signs (Standard Webhooks), POSTs and books them until none is left. The
bare loop POSTs the same bodies to the same receiver with the same concurrency and one aiohttp session,
with no database, no signing and no booking; ``ratio`` = worker deliveries/s ÷ bare posts/s. The receiver
runs in its own process (it only answers 204). SQLite in a temp directory unless ``--url`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from domain.adapters.migrate import upgrade
from domain.adapters.webhooks_delivery import WebhookFanout, WebhookWorker
from domain.adapters.webhooks_http import WebhookSender
from domain.commands import SYSTEM
from domain.commands_webhooks import AddWebhookSubscription
from domain.events import OrderPlaced

RECEIVER = """
import sys
from aiohttp import web
async def hook(request):
    await request.read()
    return web.Response(status=204)
app = web.Application()
app.router.add_post("/hook", hook)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_for(url: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.post(url, data=b"{}"):
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.05)
    raise RuntimeError("the receiver did not start")


async def bare(url: str, bodies: list[str], concurrency: int) -> float:
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as session:

        async def post(body: str) -> None:
            async with gate, session.post(url, data=body.encode(), headers={"content-type": "application/json"}) as r:
                await r.read()
                assert r.status == 204

        started = time.perf_counter()
        await asyncio.gather(*(post(b) for b in bodies))
        return len(bodies) / (time.perf_counter() - started)


async def measure(database_url: str, url: str, deliveries: int, subscriptions: int, concurrency: int) -> dict[str, Any]:
    settings = Settings(database_url=database_url, _env_file=None)  # type: ignore[call-arg]
    shop = build_shop(settings)
    try:
        for _ in range(subscriptions):
            await shop.bus.handle(AddWebhookSubscription(url, ("*",), actor=SYSTEM))
        fanout = WebhookFanout(shop.sessions, shop.views, shop.clock)
        events = deliveries // subscriptions
        started = time.perf_counter()
        for n in range(events):
            await fanout(f"bench-{n}", OrderPlaced(n + 1, 1, "webchat", 1000 + n, "USD"))
        fanout_rows = events * subscriptions / (time.perf_counter() - started)

        sender = WebhookSender(timeout_seconds=5, allow_private=True, limit=100)
        worker = WebhookWorker(shop.sessions, shop.clock, sender, concurrency=concurrency, batch_size=200)
        started = time.perf_counter()
        sent = await worker.drain(max_batches=100_000)
        worker_rate = sent / (time.perf_counter() - started)
        await sender.aclose()
        assert sent == events * subscriptions, (sent, events * subscriptions)
        body = json.dumps({"type": "OrderPlaced", "id": "x" * 36, "data": {"event": {"order_id": 1}}})
        bare_rate = await bare(url, [body] * sent, concurrency)
    finally:
        await shop.close()
    return {
        "deliveries": sent,
        "subscriptions": subscriptions,
        "concurrency": concurrency,
        "fanout_rows_per_s": round(fanout_rows, 1),
        "worker_deliveries_per_s": round(worker_rate, 1),
        "bare_posts_per_s": round(bare_rate, 1),
        "ratio": round(worker_rate / bare_rate, 3),
        "database": database_url.split(":", 1)[0],
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    receiver = await asyncio.create_subprocess_exec(sys.executable, "-c", RECEIVER, str(port))
    url = f"http://127.0.0.1:{port}/hook"
    try:
        await wait_for(url)
        with tempfile.TemporaryDirectory() as tmp:
            database_url = args.url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            if args.url:
                from chatshop.settings import normalise_database_url

                database_url = normalise_database_url(args.url)
            await asyncio.to_thread(upgrade, database_url)
            return await measure(database_url, url, args.deliveries, args.subscriptions, args.concurrency)
    finally:
        receiver.terminate()
        await receiver.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--subscriptions", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--url", help="a PostgreSQL URL whose database is migrated and used (it must be empty)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a few deliveries, to check the bench still runs")
    args = parser.parse_args()
    if args.smoke:
        args.deliveries, args.subscriptions = 20, 2
    result = asyncio.run(main(args))
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>24}: {value}")
