"""Domain events leave through the outbox: after commit, at least once, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters import orm
from domain.adapters.outbox import OutboxWorker, mark_processed
from domain.errors import OutOfStock
from domain.events import Event, OrderPlaced
from domain.model.staff import Actor
from tests.support.clock import FakeClock
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
    await small.shop.bus.handle(c.AddToCart(customer, "SHOE-BLU-42", 2, actor=Actor.shopper(customer)))
    await small.shop.bus.handle(c.AdjustStock("SHOE-BLU-42", "WEST", -2, "lost", actor=c.SYSTEM))
    before = await pending(small.shop)
    with pytest.raises(OutOfStock):
        await small.shop.bus.handle(
            c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer))
        )
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


async def test_an_event_whose_subscriber_keeps_failing_is_dead_lettered_and_can_be_retried(
    small: SmallShop, clock, caplog: pytest.LogCaptureFixture
) -> None:
    from domain.adapters.outbox import dead_events, outbox_backlog, retry_dead

    calls = {"good": 0, "broken": 0}
    broken_until_fixed = True

    async def good(event_id: str, event: Event) -> None:
        calls["good"] += 1

    async def broken(event_id: str, event: Event) -> None:
        calls["broken"] += 1
        if broken_until_fixed:
            raise ConnectionError("chat API down")

    worker = OutboxWorker(small.shop.sessions, clock, name="w", max_attempts=3)
    worker.subscribe("good", good, {"OrderPlaced"})
    worker.subscribe("broken", broken, {"OrderPlaced"})
    await small.checkout(await small.customer())
    async with small.shop.sessions() as session:
        event_id = (
            await session.execute(select(orm.outbox.c.event_id).where(orm.outbox.c.name == "OrderPlaced"))
        ).scalar_one()
    caplog.set_level("ERROR", logger="domain.adapters.outbox")
    for _ in range(3):
        await worker.drain()
        clock.advance(seconds=700)  # past the longest back-off
    assert calls == {"good": 1, "broken": 3}
    dead_logs = [r for r in caplog.records if r.levelname == "ERROR" and "dead" in r.getMessage()]
    assert len(dead_logs) == 1
    assert "OrderPlaced" in dead_logs[0].getMessage() and event_id in dead_logs[0].getMessage()
    assert "chat API down" in dead_logs[0].getMessage()

    # Dead: never claimed again, however long we wait, and shown apart from the pending ones.
    clock.advance(seconds=3600)
    assert await worker.drain() == 0
    assert calls["broken"] == 3
    counts = await outbox_backlog(small.shop.sessions, clock.now())
    assert counts["dead"] == 1 and counts["pending"] == 0
    [dead] = await dead_events(small.shop.sessions)
    assert (dead.event_id, dead.name, dead.attempts) == (event_id, "OrderPlaced", 3)
    assert dead.last_error == "broken: ConnectionError: chat API down"

    # An operator fixes the cause and retries: only the subscriber that never succeeded runs again.
    broken_until_fixed = False
    assert await retry_dead(small.shop.sessions, clock.now(), "no-such-event") == 0
    assert await retry_dead(small.shop.sessions, clock.now(), event_id) == 1
    assert await retry_dead(small.shop.sessions, clock.now(), event_id) == 0  # no longer dead
    assert await worker.drain() == 1
    assert calls == {"good": 1, "broken": 4}
    counts = await outbox_backlog(small.shop.sessions, clock.now())
    assert counts["dead"] == 0 and counts["pending"] == 0
    assert await pending(small.shop) == 0


async def test_a_retried_dead_event_gets_its_full_attempts_again(small: SmallShop, clock) -> None:
    from domain.adapters.outbox import outbox_backlog, retry_dead

    calls = 0

    async def broken(event_id: str, event: Event) -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("still broken")

    worker = OutboxWorker(small.shop.sessions, clock, name="w", max_attempts=2)
    worker.subscribe("broken", broken, {"OrderPlaced"})
    await small.checkout(await small.customer())
    await small.checkout(await small.customer("web-2"))
    for _ in range(2):
        await worker.drain()
        clock.advance(seconds=700)
    assert calls == 4
    assert (await outbox_backlog(small.shop.sessions, clock.now()))["dead"] == 2
    assert await retry_dead(small.shop.sessions, clock.now()) == 2  # --all-dead
    async with small.shop.sessions() as session:
        rows = (await session.execute(select(orm.outbox.c.attempts).where(orm.outbox.c.name == "OrderPlaced"))).all()
    assert [r.attempts for r in rows] == [0, 0]
    for _ in range(2):
        await worker.drain()
        clock.advance(seconds=700)
    assert calls == 8
    assert (await outbox_backlog(small.shop.sessions, clock.now()))["dead"] == 2


async def test_the_claim_query_uses_the_pending_index(small: SmallShop) -> None:
    from sqlalchemy import text

    async with small.shop.sessions() as session:
        dialect = session.bind.dialect.name
        if dialect == "sqlite":
            plan = " ".join(
                str(r[-1])
                for r in await session.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT id FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL"
                        " AND available_at <= :now ORDER BY id LIMIT 50"
                    ),
                    {"now": "2030-01-01 00:00:00"},
                )
            )
        else:
            await session.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(
                str(r[0])
                for r in await session.execute(
                    text(
                        "EXPLAIN SELECT id FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL"
                        " AND available_at <= now() ORDER BY id LIMIT 50"
                    )
                )
            )
    assert "ix_outbox_pending" in plan, plan


def test_an_operator_sees_dead_events_and_retries_them_from_the_terminal(tmp_path) -> None:
    import os
    import sqlite3
    import subprocess
    import sys

    db = tmp_path / "shop.db"
    env = os.environ | {"CHATSHOP_DATABASE_URL": f"sqlite:///{db}"}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "chatshop.cli", *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert cli("db", "upgrade").returncode == 0
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO outbox (event_id, name, payload, created_at, available_at, attempts, last_error, dead_at)"
            " VALUES ('ev-dead-1', 'OrderPaid', '{}', '2026-11-25 10:00:00', '2026-11-25 10:00:00', 25,"
            " 'slack: SlackApiError: channel_not_found', '2026-11-25 12:00:00')"
        )
    status = cli("outbox", "status")
    assert status.returncode == 0, status.stderr
    assert "'dead': 1" in status.stdout
    assert "ev-dead-1" in status.stdout and "OrderPaid" in status.stdout and "channel_not_found" in status.stdout
    assert cli("outbox", "retry").returncode == 2  # neither an id nor --all-dead
    missing = cli("outbox", "retry", "ev-nope")
    assert missing.returncode == 1 and "No dead event ev-nope" in missing.stderr
    retried = cli("outbox", "retry", "--all-dead")
    assert retried.returncode == 0 and "1 dead event(s) pending again" in retried.stdout, retried.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT attempts, dead_at FROM outbox WHERE event_id = 'ev-dead-1'").fetchone() == (0, None)
    assert "'dead': 0" in cli("outbox", "status").stdout


async def test_a_batch_of_slow_deliveries_keeps_its_lease_so_no_event_is_delivered_twice(
    small: SmallShop, clock: FakeClock
) -> None:
    """Each delivery takes 40 s against a 60 s lease; another worker polls during every delivery."""
    for n in range(3):
        await small.checkout(await small.customer(f"slow-{n}"), "MUG-WHT")
    async with small.shop.sessions() as session:
        await session.execute(orm.outbox.update().values(delivered_at=None))
        await session.commit()
    delivered: list[str] = []
    other = OutboxWorker(small.shop.sessions, clock, name="other", lease=timedelta(seconds=60))
    slow = OutboxWorker(small.shop.sessions, clock, name="slow", lease=timedelta(seconds=60))

    async def record(event_id: str, event: Event) -> None:
        delivered.append(event_id)

    async def slow_record(event_id: str, event: Event) -> None:
        delivered.append(event_id)
        clock.advance(seconds=40)
        await other.run_once()  # another process polls while this one is busy

    other.subscribe("counter", record, {"OrderPlaced"})
    slow.subscribe("counter", slow_record, {"OrderPlaced"})
    await slow.run_once()
    await other.drain()
    assert len(delivered) == 3 and len(set(delivered)) == 3


async def test_old_delivered_events_and_marks_are_pruned_but_pending_ones_stay(
    small: SmallShop, clock: FakeClock
) -> None:
    from domain.adapters.outbox import prune_outbox

    async def done(event_id: str, event: Event) -> None:
        return None

    small.shop.outbox.subscribe("done", done)
    await small.checkout(await small.customer(), "MUG-WHT")
    await small.shop.outbox.drain()
    clock.advance(days=31)
    await small.checkout(await small.customer("later"), "MUG-WHT")  # pending: must stay
    events, marks = await prune_outbox(small.shop.sessions, clock.now() - timedelta(days=30))
    assert events > 0 and marks > 0
    async with small.shop.sessions() as session:
        left = (await session.execute(select(orm.outbox.c.delivered_at))).scalars().all()
    assert left and all(at is None for at in left)


async def test_the_running_shop_prunes_what_it_delivered_past_the_retention(small: SmallShop, clock: FakeClock) -> None:
    from chatshop.runtime import Runtime

    await small.checkout(await small.customer(), "MUG-WHT")
    await small.shop.outbox.drain()
    clock.advance(days=small.shop.settings.outbox_retention_days + 1)
    await Runtime(small.shop)._prune_outbox()
    async with small.shop.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(orm.outbox))).scalar_one() == 0


async def test_a_subscriber_that_marks_its_own_events_is_not_marked_twice_and_raises_nothing(
    small: SmallShop, clock: FakeClock
) -> None:
    """A subscriber may record its mark in its own transaction (the rollups do); the worker's mark after it
    is then a no-op, not a caught IntegrityError (on SQLite such an error's cursor, collected later on the
    event loop's thread, stalled the whole process behind a busy connection)."""
    worker = OutboxWorker(small.shop.sessions, clock, name="self-marking")
    seen: list[str] = []

    async def marks_itself(event_id: str, event: Event) -> None:
        async with small.shop.sessions() as session, session.begin():
            if await mark_processed(session, "self-marking-sub", event_id, clock.now()):
                seen.append(event_id)
            assert not await mark_processed(session, "self-marking-sub", event_id, clock.now())

    worker.subscribe("self-marking-sub", marks_itself, events={"OrderPlaced"})
    await small.checkout(await small.customer())
    assert await worker.drain() >= 1
    async with small.shop.sessions() as session:
        marks = await session.execute(
            select(func.count()).where(orm.processed_messages.c.consumer == "self-marking-sub")
        )
        assert marks.scalar_one() == len(seen) == 1
