"""Domain events leave through the outbox: after commit, at least once, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters import orm
from domain.adapters.outbox import OutboxWorker
from domain.errors import OutOfStock
from domain.events import Event, OrderPlaced
from tests.support.shopdata import ADDRESS, SmallShop


async def pending(shop: Shop) -> int:
    async with shop.sessions() as session:
        stmt = select(func.count()).where(orm.outbox.c.delivered_at.is_(None))
        return int((await session.execute(stmt)).scalar_one())


async def test_events_are_written_with_the_change_and_delivered_after_commit(small: SmallShop) -> None:
    seen: list[tuple[str, Event]] = []

    async def record(event_id: str, event: Event) -> None:
        seen.append((event_id, event))

    small.shop.outbox.subscribe("recorder", record, {"OrderPlaced"})
    customer = await small.customer()
    order_id = await small.checkout(customer)
    assert seen == []  # nothing is sent from inside the transaction
    await small.shop.outbox.drain()
    assert [e for _, e in seen] == [OrderPlaced(order_id, customer, "webchat", 8500, "USD")]
    assert await pending(small.shop) == 0


async def test_a_failed_command_leaves_no_event_behind(small: SmallShop) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "SHOE-BLU-42", 2))
    await small.shop.bus.handle(c.AdjustStock("SHOE-BLU-42", "WEST", -2, "lost"))
    before = await pending(small.shop)
    with pytest.raises(OutOfStock):
        await small.shop.bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "webchat"))
    assert await pending(small.shop) == before


async def test_a_failing_subscriber_is_retried_later_and_the_others_are_not_repeated(small: SmallShop, clock) -> None:
    calls = {"good": 0, "flaky": 0}

    async def good(event_id: str, event: Event) -> None:
        calls["good"] += 1

    async def flaky(event_id: str, event: Event) -> None:
        calls["flaky"] += 1
        if calls["flaky"] == 1:
            raise ConnectionError("chat API down")

    small.shop.outbox.subscribe("good", good, {"OrderPlaced"})
    small.shop.outbox.subscribe("flaky", flaky, {"OrderPlaced"})
    await small.checkout(await small.customer())
    await small.shop.outbox.drain()
    assert calls == {"good": 1, "flaky": 1}
    assert await pending(small.shop) == 1  # kept, with a back-off
    await small.shop.outbox.drain()
    assert calls == {"good": 1, "flaky": 1}  # not due yet
    clock.advance(seconds=5)
    await small.shop.outbox.drain()
    assert calls == {"good": 1, "flaky": 2}
    assert await pending(small.shop) == 0


async def test_a_worker_that_dies_mid_delivery_loses_nothing(small: SmallShop, clock) -> None:
    delivered: list[str] = []

    async def record(event_id: str, event: Event) -> None:
        delivered.append(event_id)

    await small.checkout(await small.customer())
    await small.checkout(await small.customer("web-2"))
    crashed = OutboxWorker(small.shop.sessions, clock, name="crashed", lease=timedelta(seconds=30))
    claimed = await crashed._claim()  # it claimed a batch, then the process was killed
    assert len(claimed) >= 2
    survivor = OutboxWorker(small.shop.sessions, clock, name="survivor")
    survivor.subscribe("recorder", record, {"OrderPlaced"})
    assert await survivor.drain() == 0  # the lease still protects the rows
    clock.advance(seconds=31)
    await survivor.drain()
    assert len(delivered) == 2 and len(set(delivered)) == 2
    assert await pending(small.shop) == 0


async def test_slot_guard_runs_a_scheduled_job_once_per_slot_across_runners(small: SmallShop, clock) -> None:
    from domain.adapters.jobs import SlotGuard

    runs: list[str] = []
    a = SlotGuard(small.shop.sessions, clock, "process-a")
    b = SlotGuard(small.shop.sessions, clock, "process-b")

    async def job() -> None:
        runs.append("ran")

    every = timedelta(seconds=30)
    assert await a.run("expire", every, job) is True
    assert await b.run("expire", every, job) is False
    clock.advance(seconds=30)
    assert await b.run("expire", every, job) is True
    assert runs == ["ran", "ran"]
