"""A webhook worker in its own process, for the test that kills one mid-delivery:
``python -m tests.integration.webhooks.worker_process DATABASE_URL``; prints "ready" once running."""

from __future__ import annotations

import asyncio
import sys

from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from chatshop.webhooks import build_worker


async def main(database_url: str) -> None:
    settings = Settings(  # type: ignore[call-arg]
        database_url=database_url, webhooks_allow_private=True, webhooks_lease_seconds=2, _env_file=None
    )
    shop = build_shop(settings)
    worker = build_worker(shop)
    print("ready", flush=True)
    await worker.run(asyncio.Event(), idle_seconds=0.05)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
