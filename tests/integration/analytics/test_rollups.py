"""The dashboard's rollups equal the raw rows after payments, refunds, cancellations and late payments.

Each test drives the shop through its real commands, lets the outbox deliver (the rollup subscriber is one of
its subscribers), then asks ``verify`` to recompute every rollup from the raw rows: it must find nothing."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from domain import commands as c
from domain.adapters import orm
from domain.adapters.orm_rollups import rollup_cohorts, rollup_customers_daily, rollup_sales_daily
from domain.adapters.rollups import CONSUMER, RollupSubscriber, backfill, refresh_recent_funnel, verify
from domain.errors import DomainError
from domain.events import OrderPaid
from domain.model.staff import Actor
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop


async def pay(small: SmallShop, order_id: int) -> None:
    bus = small.shop.bus
    link = await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    await settle(small, link.url)
    order = await small.shop.views.order(order_id)
    assert order is not None
    await bus.handle(c.ConfirmPayment("sandbox", link.url.rsplit("/", 1)[1], order.total, "USD"))


async def settle(small: SmallShop, url: str) -> None:
    """The shopper pays on the sandbox's page (so the sandbox can refund the money later)."""
    with contextlib.suppress(DomainError, ValueError, KeyError):
        await small.shop.sandbox.settle(url.rsplit("/", 1)[1], "paid")


async def sums(small: SmallShop) -> tuple[int, int, int, int]:
    t = rollup_sales_daily.c
    async with small.shop.sessions() as session:
        row = (
            await session.execute(select(func.sum(t.orders), func.sum(t.gross), func.sum(t.refunded), func.sum(t.net)))
        ).one()
    return (int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), int(row[3] or 0))


async def test_rollups_follow_a_payment_a_partial_refund_and_a_cancellation(small: SmallShop) -> None:
    shop = small.shop
    ann = await small.customer("ann")
    first = await small.checkout(ann, "MUG-WHT", 2)
    await pay(small, first)
    await shop.outbox.drain()
    order = await shop.views.order(first)
    assert order is not None
    assert await sums(small) == (1, order.total, 0, order.total)

    await shop.bus.refund(c.RefundOrder(first, 500, "chipped", actor=c.SYSTEM))
    await shop.outbox.drain()
    assert await sums(small) == (1, order.total, 500, order.total - 500)

    second = await small.checkout(ann, "MUG-WHT", 1)
    await pay(small, second)
    await shop.bus.handle(c.CancelOrder(second, "changed mind", actor=c.SYSTEM))
    await shop.outbox.drain()
    assert await verify(shop.sessions) == []
    async with shop.sessions() as session:
        new = (await session.execute(select(func.sum(rollup_customers_daily.c.new_customers)))).scalar_one()
        cohort = (await session.execute(select(rollup_cohorts.c.customers))).scalars().all()
    assert new == 1 and cohort == [1]  # two paid orders, one new customer, one cohort member


async def test_a_payment_that_comes_after_the_order_was_cancelled_is_counted_where_the_raw_rows_say(
    small: SmallShop, clock: FakeClock
) -> None:
    shop, bus = small.shop, small.shop.bus
    bo = await small.customer("bo")
    order_id = await small.checkout(bo, "MUG-WHT", 1)
    link = await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    clock.advance(minutes=16)
    await bus.handle(c.ExpireReservations())
    await shop.outbox.drain()
    order = await shop.views.order(order_id)
    assert order is not None
    with contextlib.suppress(DomainError):
        await settle(small, link.url)
        await bus.handle(c.ConfirmPayment("sandbox", link.url.rsplit("/", 1)[1], order.total, "USD"))
    await shop.outbox.drain()
    assert await verify(shop.sessions) == []


async def test_a_redelivered_event_changes_nothing(small: SmallShop) -> None:
    shop = small.shop
    cy = await small.customer("cy")
    order_id = await small.checkout(cy, "MUG-WHT", 1)
    await pay(small, order_id)
    await shop.outbox.drain()
    before = await sums(small)
    order = await shop.views.order(order_id)
    assert order is not None
    async with shop.sessions() as session:
        event_id = (
            await session.execute(select(orm.outbox.c.event_id).where(orm.outbox.c.name == "OrderPaid"))
        ).scalar_one()
        marks = await session.execute(
            select(func.count()).where(
                orm.processed_messages.c.consumer == CONSUMER, orm.processed_messages.c.message_id == event_id
            )
        )
        assert marks.scalar_one() == 1
    subscriber = RollupSubscriber(shop.sessions, shop.clock)
    event = OrderPaid(order_id, cy, "webchat", order.total, "USD")
    await subscriber(event_id, event)  # the same delivery again
    await subscriber("another-id", event)  # or the same fact told twice
    assert await sums(small) == before
    assert await verify(shop.sessions) == []


async def test_verify_names_the_row_that_differs_and_backfill_repairs_it(small: SmallShop) -> None:
    shop = small.shop
    di = await small.customer("di")
    await pay(small, await small.checkout(di, "MUG-WHT", 1))
    await shop.outbox.drain()
    async with shop.sessions() as session, session.begin():
        await session.execute(update(rollup_sales_daily).values(gross=rollup_sales_daily.c.gross + 1))
    wrong = await verify(shop.sessions)
    assert [m.table for m in wrong] == ["rollup_sales_daily"]
    assert wrong[0].expected is not None and wrong[0].actual is not None
    assert wrong[0].actual[2] == wrong[0].expected[2] + 1
    steps: list[str] = []
    counts = await backfill(shop.sessions, steps.append)
    assert counts["rollup_order_facts"] == 1 and "rollup_funnel_daily" in steps
    assert await verify(shop.sessions) == []


STEPS = ("order", "pay", "refund", "refund_all", "cancel", "expire", "day", "drain")
STREAMS = st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 50)), min_size=1, max_size=16)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stream=STREAMS)
async def test_random_streams_of_orders_payments_refunds_and_cancellations_leave_no_mismatch(
    small: SmallShop, clock: FakeClock, stream: list[tuple[str, int]]
) -> None:
    """Whatever happens in whatever order, delivered whenever, verify finds nothing (hypothesis shrinks a failure
    to its shortest stream). The shop carries over from one example to the next, so later ones start busy."""
    shop, bus = small.shop, small.shop.bus
    await bus.handle(c.ReceiveStock("MUG-WHT", "EAST", 100, actor=c.SYSTEM))
    customers = [await small.customer(f"fuzz-{i}") for i in range(3)]
    orders: list[tuple[int, str]] = []
    for step, pick in stream:
        with contextlib.suppress(DomainError):
            if step == "order" or not orders:
                order_id = await small.checkout(customers[pick % 3], "MUG-WHT", 1 + pick % 3)
                orders.append((order_id, (await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))).url))
            elif step == "pay":  # on time, or late: after a cancellation or an expiry
                order_id, url = orders[pick % len(orders)]
                order = await shop.views.order(order_id)
                assert order is not None
                await settle(small, url)
                await bus.handle(c.ConfirmPayment("sandbox", url.rsplit("/", 1)[1], order.total, "USD"))
            elif step in ("refund", "refund_all"):
                amount = None if step == "refund_all" else 100 + pick
                await bus.refund(c.RefundOrder(orders[pick % len(orders)][0], amount, "fuzz", actor=c.SYSTEM))
            elif step == "cancel":
                await bus.cancel(c.CancelOrder(orders[pick % len(orders)][0], "fuzz", actor=c.SYSTEM))
            elif step == "expire":
                clock.advance(minutes=16)
                await bus.handle(c.ExpireReservations())
            elif step == "day":
                clock.advance(days=1 + pick)
            elif step == "drain":
                await shop.outbox.drain()
    await shop.outbox.drain()
    assert await verify(shop.sessions) == []


async def test_the_periodic_job_counts_views_and_carts_that_no_order_followed(small: SmallShop) -> None:
    shop = small.shop
    eve = await small.customer("eve")
    await shop.bus.handle(c.RecordAnalytics("product_viewed", customer_id=eve, channel="webchat"))
    await shop.bus.handle(c.AddToCart(eve, "MUG-WHT", 1, actor=Actor.shopper(eve)))
    await shop.outbox.drain()
    assert [m.table for m in await verify(shop.sessions)] == ["rollup_funnel_daily"] * 2
    await refresh_recent_funnel(shop.sessions, shop.clock)
    assert await verify(shop.sessions) == []
