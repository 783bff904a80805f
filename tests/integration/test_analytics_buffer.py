"""Shopper analytics are buffered and written in batches: by the timer, before a view reads analytics,
and when the shop stops — a clean stop loses none."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.adapters import orm
from domain.adapters.db import create_engine
from tests.support.clock import FakeClock


def _events(n: int, customer_id: int | None = None) -> c.RecordAnalyticsBatch:
    return c.RecordAnalyticsBatch(
        tuple(c.RecordAnalytics("message_received", customer_id=customer_id, channel="webchat") for _ in range(n))
    )


async def _count(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(orm.analytics_events))).scalar_one())
    finally:
        await engine.dispose()


async def test_rows_still_buffered_are_written_when_the_shop_stops(database_url: str) -> None:
    shop = build_shop(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    shop.analytics.interval = 3600  # the timer will not write them: only the stop can
    for _ in range(3):
        await shop.bus.handle(_events(2))
    assert shop.analytics.pending == 6
    assert await _count(database_url) == 0
    await shop.close()
    assert await _count(database_url) == 6
    assert shop.analytics.batches == 1  # one executemany for every turn's rows


async def test_the_timer_writes_a_batch_shortly_after_its_first_row(database_url: str) -> None:
    shop = build_shop(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    try:
        await shop.bus.handle(_events(1))
        await shop.bus.handle(_events(2))
        for _ in range(200):  # waits for the write, asserts no duration
            if shop.analytics.pending == 0 and shop.analytics.batches:
                break
            await asyncio.sleep(0.05)
        assert await _count(database_url) == 3
        assert shop.analytics.batches == 1
    finally:
        await shop.close()


async def test_a_report_reads_the_rows_still_in_the_buffer(database_url: str, clock: FakeClock) -> None:
    shop = build_shop(Settings(database_url=database_url, _env_file=None), clock=clock)  # type: ignore[call-arg]
    shop.analytics.interval = 3600
    try:
        customer = int(await shop.bus.handle(c.IdentifyCustomer("webchat", "web-1", "Ann")))  # type: ignore[arg-type]
        await shop.bus.handle(_events(2, customer))
        today = clock.now().date()
        funnel = {s.name: s.customers for s in await shop.views.funnel(today, today)}
        assert funnel["message_received"] == 1
        assert shop.analytics.pending == 0
    finally:
        await shop.close()


async def test_a_row_whose_customer_is_gone_is_kept_without_the_customer_and_blocks_no_other(
    database_url: str,
) -> None:
    shop = build_shop(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    shop.analytics.interval = 3600
    try:
        customer = int(await shop.bus.handle(c.IdentifyCustomer("webchat", "web-1", "Ann")))  # type: ignore[arg-type]
        await shop.bus.handle(_events(1, customer))
        await shop.bus.handle(_events(1, customer + 1000))  # merged away before the rows were written
        await shop.analytics.flush()
        assert shop.analytics.pending == 0
    finally:
        await shop.close()
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            owners = (await conn.execute(select(orm.analytics_events.c.customer_id))).scalars().all()
    finally:
        await engine.dispose()
    assert sorted(owners, key=lambda o: o or 0) == [None, customer]
