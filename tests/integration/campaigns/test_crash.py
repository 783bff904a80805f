"""Two sending processes on PostgreSQL, one SIGKILLed mid-send and restarted: no duplicate, no loss, and
the unknowns are at most what the killed worker had in flight."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters.orm_campaigns import campaign_deliveries
from tests.integration.campaigns.helpers import Person, add_people, approved, campaign, store
from tests.support.fake_telegram import FakeTelegram, Limits
from tests.support.services import redis_url

pytestmark = pytest.mark.timeout(180)
ROOT = Path(__file__).resolve().parents[3]
RATE, IN_FLIGHT, LEASE, PEOPLE = 100, 10, 3, 800


async def spawn(db: str, api: str, redis: str, seconds: float = 60) -> asyncio.subprocess.Process:
    args = [db, api, redis, str(RATE), str(LEASE), str(IN_FLIGHT), str(seconds)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.campaign_worker", *args, cwd=ROOT, stdout=subprocess.PIPE, env=os.environ
    )
    assert proc.stdout is not None
    assert (await asyncio.wait_for(proc.stdout.readline(), 30)).strip() == b"ready"
    return proc


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_a_worker_killed_mid_send_duplicates_nothing_loses_nothing_and_leaves_few_unknowns(
    shop: Shop, database_url: str
) -> None:
    redis = redis_url()
    await Redis.from_url(redis).flushdb()
    shop.clock.current = shop.clock.current.replace(hour=12)  # type: ignore[attr-defined]
    await add_people(shop, [Person(telegram=500_000 + i) for i in range(PEOPLE)], shop.clock.now())
    # The workers run on the real clock: no quiet hours, so the test doesn't depend on the time of day.
    campaign_id = await approved(shop, campaign(quiet_hours=("00:00", "00:00")))
    assert await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True)) == PEOPLE
    async with FakeTelegram(limits=Limits(per_second=RATE, per_chat_per_second=1, retry_after=1)) as fake:
        # Started together: one started after the other is ready could find the campaign already sent on a
        # busy machine (a worker takes seconds to import and connect), and the kill would then test nothing.
        victim, survivor = await asyncio.gather(
            spawn(database_url, fake.url, redis), spawn(database_url, fake.url, redis)
        )
        while len(fake.sent("sendMessage")) < PEOPLE // 3:  # noqa: ASYNC110 - polling the fake's record
            await asyncio.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        await victim.wait()
        restarted = await spawn(database_url, fake.url, redis, seconds=60)
        states: Counter[str] = Counter()
        for _ in range(600):
            async with shop.sessions() as session:
                rows = (await session.execute(select(campaign_deliveries.c.state))).scalars().all()
            states = Counter(rows)
            if states["queued"] == 0 and states["sending"] == 0:
                break
            await asyncio.sleep(0.1)
        for proc in (survivor, restarted):
            proc.send_signal(signal.SIGTERM)
            await proc.wait()
        delivered = Counter(call.chat_id for call in fake.sent("sendMessage"))
        too_many = sum(1 for call in fake.calls if call.params.get("_rejected") == 429)

    async with shop.sessions() as session:
        rows = (await session.execute(select(campaign_deliveries.c.address, campaign_deliveries.c.state))).all()
    by_chat = {int(address): state for address, state in rows}
    assert [chat for chat, n in delivered.items() if n > 1] == [], "a chat got the campaign twice"
    assert set(by_chat.values()) <= {"sent", "unknown"}, states
    assert {chat for chat, state in by_chat.items() if state == "sent"} <= set(delivered), "booked as sent, never sent"
    assert set(delivered) <= set(by_chat), "sent to someone not in the campaign"
    unknown = [chat for chat, state in by_chat.items() if state == "unknown"]
    assert 0 < len(unknown) <= IN_FLIGHT
    assert len(by_chat) == PEOPLE  # nobody lost: every recipient is sent or unknown
    assert too_many <= 10  # a handful (arrival jitter with three processes on two cores); each is retried
    assert (await store(shop).counts(campaign_id)) == {"sent": PEOPLE - len(unknown), "unknown": len(unknown)}
