"""A shop worker process for multi-process tests: delivers outbox events and runs a 1-second job.

Usage: python -m tests.support.worker_process DATABASE_URL OUT_DIR SECONDS
Each delivery and each job run is appended to OUT_DIR/<pid>.log as "event <id>" or "job <slot>".
"""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import timedelta
from pathlib import Path

from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from domain.adapters.jobs import slot_for
from domain.adapters.outbox import OutboxWorker
from domain.events import Event


async def main(url: str, out_dir: Path, seconds: float) -> None:
    shop = build_shop(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    log = (out_dir / f"{os.getpid()}.log").open("a", buffering=1)

    async def deliver(event_id: str, event: Event) -> None:
        await asyncio.sleep(0.002)  # a slow channel, so that both processes get a share
        log.write(f"event {event_id}\n")

    worker = OutboxWorker(shop.sessions, shop.clock, batch_size=10, name=f"proc-{os.getpid()}")
    worker.subscribe("recorder", deliver)
    every = timedelta(seconds=1)

    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    next_job = loop.time()
    while loop.time() < deadline:
        if loop.time() >= next_job:
            # What SlotGuard.run does, with the slot it claimed logged (a job that computed its slot again could
            # name the next one when the claim straddled a second's end, and look like a slot run twice).
            slot = slot_for(shop.clock.now(), every)
            if await shop.jobs.claim("tick", slot):
                log.write(f"job {slot}\n")
                await shop.jobs.finish("tick", slot)
            next_job += 0.25
        if await worker.run_once() == 0:
            await asyncio.sleep(0.05)
    log.close()
    await shop.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])))
