"""Several `chatshop run` processes on one PostgreSQL: outbox rows and scheduled jobs are shared."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from pathlib import Path

import pytest

from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from domain import commands as c
from tests.conftest import reset_postgres
from tests.support.services import postgres_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
async def test_two_processes_deliver_each_event_once_and_fire_each_job_slot_once(tmp_path: Path) -> None:
    url = postgres_url()
    await reset_postgres(url)
    shop = build_shop(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    await shop.bus.handle(c.CreateWarehouse("MAIN", "Main", actor=c.SYSTEM))
    await shop.bus.handle(c.UpsertProduct("Thing", (c.VariantSpec("THING-1", 100),), actor=c.SYSTEM))
    for _ in range(200):
        await shop.bus.handle(c.ReceiveStock("THING-1", "MAIN", 1, actor=c.SYSTEM))  # each emits a StockChanged event
    # ... and the first a BackInStock (nothing available -> something): 201 events in the outbox
    await shop.close()

    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.worker_process", url, str(tmp_path), "6", cwd=ROOT
        )
        for _ in range(2)
    ]
    codes = await asyncio.gather(*(p.wait() for p in procs))
    assert codes == [0, 0]
    logs = [f.read_text().splitlines() for f in sorted(tmp_path.glob("*.log"))]
    assert len(logs) == 2
    events = Counter(line for log in logs for line in log if line.startswith("event "))
    jobs = Counter(line for log in logs for line in log if line.startswith("job "))
    assert len(events) == 201 and max(events.values()) == 1  # every event once, none twice
    assert all(any(line.startswith("event ") for line in log) for log in logs)  # both took a share
    assert len(jobs) >= 4 and max(jobs.values()) == 1  # each one-second slot ran in exactly one process
