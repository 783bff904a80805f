"""Migration 0025 rebuilds the timeline of orders from before 0023 out of the rows they left: placed, paid,
refunds, shipments and cancellations at their real times; a step the order's timeline already has is not
added twice; the downgrade removes only what it made."""

from __future__ import annotations

import asyncio

from alembic import command
from sqlalchemy import delete, select

from domain import commands as c
from domain.adapters import orm
from domain.adapters.console_views import SqlConsoleViews
from domain.adapters.migrate import alembic_config, upgrade_async
from domain.adapters.orm_console_more import order_events
from domain.model.staff import Actor, Role
from tests.integration.api.test_resources import paid_order
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

STAFF = Actor.staff("abe", Role.APPROVER)


async def to_0024_and_back(url: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0024")
    await upgrade_async(url, "head")


async def test_old_orders_get_their_placed_paid_shipped_refunded_and_cancelled_steps_at_their_real_times(
    small: SmallShop, clock: FakeClock, database_url: str
) -> None:
    bus, sessions = small.shop.bus, small.shop.sessions
    shipped = await paid_order(small)
    clock.advance(hours=1)
    for step in ("picking", "packed"):
        await bus.handle(c.AdvanceOrder(shipped, step, actor=STAFF))
    await bus.handle(c.ShipOrder(shipped, "UPS", "1Z9", actor=STAFF))
    clock.advance(hours=1)
    assert await bus.refund(c.RefundOrder(shipped, 1000, "scuffed", actor=STAFF)) == "succeeded"
    clock.advance(hours=1)
    cancelled = await small.checkout(await small.customer("web-2", "Bo"), "MUG-WHT")
    clock.advance(minutes=5)
    await bus.cancel(c.CancelOrder(cancelled, "changed mind", actor=STAFF))

    views = SqlConsoleViews(sessions)
    real = {o: [(e.name, e.at) for e in await views.order_timeline(o)] for o in (shipped, cancelled)}
    async with sessions.begin() as session:  # as before 0023: no timeline, except the shipment of the first
        E = order_events.c
        await session.execute(delete(order_events).where(~((E.order_id == shipped) & (E.name == "OrderShipped"))))
        Ord, R = orm.orders.c, orm.refunds.c
        times = (await session.execute(select(Ord.placed_at, Ord.paid_at).where(Ord.id == shipped))).one()
        refunded_at = (await session.execute(select(R.completed_at).where(R.order_id == shipped))).scalar_one()
        cancel_at = (await session.execute(select(Ord.updated_at).where(Ord.id == cancelled))).scalar_one()
        shipped_at = (
            await session.execute(select(orm.shipments.c.shipped_at).where(orm.shipments.c.order_id == shipped))
        ).scalar_one()

    await to_0024_and_back(database_url)

    rebuilt = [(e.name, e.at, e.details.get("backfilled")) for e in await views.order_timeline(shipped)]
    assert rebuilt == [
        ("OrderPlaced", times.placed_at, True),
        ("OrderPaid", times.paid_at, True),
        ("OrderShipped", shipped_at, None),  # the real row, kept and not doubled
        ("RefundSucceeded", refunded_at, True),
    ]
    assert [(n, at) for n, at, _ in rebuilt] == [x for x in real[shipped] if x[0] in {n for n, _, _ in rebuilt}]
    refund = (await views.order_timeline(shipped))[-1]
    assert refund.actor == "abe" and refund.details["amount"] == 1000 and refund.details["everything"] is False
    steps = await views.order_timeline(cancelled)
    assert [(e.name, e.at) for e in steps] == [
        ("OrderPlaced", real[cancelled][0][1]),
        ("OrderCancelled", cancel_at),
    ]
    assert steps[1].details["reason"] == "changed mind"

    # Again (a downgrade removes only the rebuilt rows; the upgrade makes the same ones): nothing doubles.
    await to_0024_and_back(database_url)
    assert [(e.name, e.at) for e in await views.order_timeline(shipped)] == [(n, at) for n, at, _ in rebuilt]
    assert len(await views.order_timeline(cancelled)) == 2
