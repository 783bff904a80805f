"""Outbound webhooks against a real receiver on loopback that verifies with the ``standardwebhooks`` library,
on SQLite and PostgreSQL: signed deliveries, retries with the same webhook-id, dead letters, rotation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from chatshop.bootstrap import Shop
from domain.adapters.orm_webhooks import webhook_attempts, webhook_deliveries
from domain.adapters.webhooks_delivery import WebhookFanout, prune_deliveries
from domain.adapters.webhooks_views import SqlWebhookViews
from domain.commands import SYSTEM
from domain.commands_webhooks import AddWebhookSubscription, RedeliverWebhook, RotateWebhookSecret
from domain.errors import PermissionDenied, ValidationFailed
from domain.events import OrderPlaced, WebhookSubscriptionDisabled
from domain.model.staff import Actor, Role
from domain.model.webhooks import RetryPolicy
from tests.integration.webhooks.helpers import FAST, publish, subscribe, worker
from tests.integration.webhooks.receiver import running_receiver
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(60)


async def deliveries(shop: Shop) -> int:
    async with shop.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(webhook_deliveries))).scalar_one())


async def test_a_placed_order_arrives_signed_with_the_event_and_a_snapshot_of_the_order(small: SmallShop) -> None:
    shop = small.shop
    async with running_receiver() as receiver:
        _, secret = await subscribe(shop, receiver.url, "OrderPlaced")
        receiver.secrets.append(secret)
        order_id = await small.checkout(await small.customer())
        await publish(shop)
        sender = worker(shop)
        assert await sender.drain() == 1
        await sender.sender.aclose()

    (got,) = receiver.received
    assert got.verified_by == (secret,)
    body = got.payload
    assert body["type"] == "OrderPlaced" and body["data"]["event"]["order_id"] == order_id
    assert body["data"]["order"]["id"] == order_id and body["data"]["order"]["status"] == "pending_payment"
    assert body["timestamp"].startswith(str(shop.clock.now().year))
    (row,) = await SqlWebhookViews(shop.sessions).deliveries()
    assert row.status == "succeeded" and row.message_id == got.message_id and row.event_id == body["id"]
    assert await prune_deliveries(shop.sessions, shop.clock.now()) == 0  # kept for the retention period
    assert await prune_deliveries(shop.sessions, shop.clock.now() + timedelta(seconds=1)) == 1
    assert await SqlWebhookViews(shop.sessions).deliveries() == []


async def test_an_event_replayed_by_the_outbox_makes_no_second_delivery(shop: Shop) -> None:
    await subscribe(shop, "https://example.com/hook")
    fanout = WebhookFanout(shop.sessions, shop.views, shop.clock)
    event = OrderPlaced(1, 1, "webchat", 1000, "USD")
    await fanout("event-1", event)
    await fanout("event-1", event)
    assert await deliveries(shop) == 1


async def test_only_matching_active_subscriptions_get_a_delivery(shop: Shop) -> None:
    await subscribe(shop, "https://example.com/paid", "OrderPaid")
    await subscribe(shop, "https://example.com/all")
    fanout = WebhookFanout(shop.sessions, shop.views, shop.clock)
    await fanout("event-1", OrderPlaced(1, 1, "webchat", 1000, "USD"))
    assert await deliveries(shop) == 1


async def test_a_receiver_failing_twice_gets_the_same_webhook_id_three_times_and_the_log_shows_each(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    async with running_receiver(fail_first=2) as receiver:
        _, secret = await subscribe(shop, receiver.url, "OrderPlaced")
        receiver.secrets.append(secret)
        await small.checkout(await small.customer())
        await publish(shop)
        sender = worker(shop)
        assert await sender.drain() == 1
        assert await sender.drain() == 0  # not due before its back-off
        clock.advance(seconds=10)
        assert await sender.drain() == 1
        clock.advance(seconds=20)
        assert await sender.drain() == 1
        await sender.sender.aclose()

    assert len(receiver.received) == 3 and len({r.message_id for r in receiver.received}) == 1
    assert len({r.body for r in receiver.received}) == 1 and all(r.verified_by for r in receiver.received)
    views = SqlWebhookViews(shop.sessions)
    (row,) = await views.deliveries()
    assert row.status == "succeeded" and row.attempts == 3
    log = await views.attempts(row.id)
    assert [(a.attempt, a.status_code, a.error) for a in log] == [
        (1, 500, "HTTP 500"),
        (2, 500, "HTTP 500"),
        (3, 204, None),
    ]
    assert all(a.latency_ms >= 0 for a in log)


async def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt_tried_again(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    async with running_receiver(hang_first=1, hang_seconds=3) as receiver:
        await subscribe(shop, receiver.url, "OrderPlaced")
        await small.checkout(await small.customer())
        await publish(shop)
        sender = worker(shop, timeout=0.5)
        await sender.drain()
        clock.advance(seconds=10)
        await sender.drain()
        await sender.sender.aclose()
    views = SqlWebhookViews(shop.sessions)
    (row,) = await views.deliveries()
    first, second = await views.attempts(row.id)
    assert first.status_code is None and first.error == "timed out after 0.5 s" and first.latency_ms < 2000
    assert second.status_code == 204 and row.status == "succeeded"
    assert receiver.received[0].message_id == receiver.received[1].message_id


async def test_after_the_last_attempt_the_delivery_is_dead_until_redelivered(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    async with running_receiver(fail_first=4) as receiver:
        await subscribe(shop, receiver.url, "OrderPlaced")
        await small.checkout(await small.customer())
        await publish(shop)
        sender = worker(shop)
        for wait in (0, 10, 20, 40):
            clock.advance(seconds=wait)
            assert await sender.drain() == 1
        clock.advance(hours=10)
        assert await sender.drain() == 0
        views = SqlWebhookViews(shop.sessions)
        (dead,) = await views.deliveries(status="dead")
        assert dead.attempts == FAST.max_attempts and dead.last_error == "HTTP 500"
        assert (await views.subscriptions())[0].dead == 1

        await shop.bus.handle(RedeliverWebhook(dead.id, actor=SYSTEM))
        assert await sender.drain() == 1
        await sender.sender.aclose()
    (row,) = await views.deliveries()
    assert row.status == "succeeded" and len({r.message_id for r in receiver.received}) == 1
    assert len(receiver.received) == 5


async def test_a_rotated_secret_signs_beside_the_new_one_until_its_grace_ends(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    async with running_receiver() as receiver:
        sub_id, old = await subscribe(shop, receiver.url, "OrderPlaced")
        new = await shop.bus.handle(RotateWebhookSecret(sub_id, actor=SYSTEM, grace_seconds=60))
        receiver.secrets.extend([old, new])
        customer = await small.customer()
        await small.checkout(customer)
        await publish(shop)
        sender = worker(shop)
        await sender.drain()
        clock.advance(seconds=61)
        await small.checkout(customer, sku="MUG-WHT")
        await publish(shop)
        await sender.drain()
        await sender.sender.aclose()
    during, after = receiver.received
    assert set(during.verified_by) == {old, new} and len(during.headers["webhook-signature"].split(" ")) == 2
    assert after.verified_by == (new,) and len(after.headers["webhook-signature"].split(" ")) == 1


async def test_private_and_loopback_addresses_are_refused_unless_allowed(small: SmallShop) -> None:
    shop = small.shop
    async with running_receiver() as receiver:
        named = receiver.url.replace("127.0.0.1", "localhost")
        await subscribe(shop, receiver.url, "OrderPlaced")
        await subscribe(shop, named, "OrderPlaced")
        await subscribe(shop, "http://169.254.169.254/latest/meta-data", "OrderPlaced")
        await small.checkout(await small.customer())
        await publish(shop)
        sender = worker(shop, allow_private=False)
        assert await sender.drain() == 3
        await sender.sender.aclose()
    assert receiver.received == []
    errors = sorted(d.last_error or "" for d in await SqlWebhookViews(shop.sessions).deliveries())
    assert errors[0] == "127.0.0.1 is a private address; refused"
    assert errors[1] == "169.254.169.254 is a private address; refused"
    assert "localhost resolves to a private address" in errors[2]


async def test_redirects_are_not_followed(small: SmallShop) -> None:
    shop = small.shop
    async with running_receiver() as receiver:
        await subscribe(shop, receiver.url.replace("/hook", "/moved"), "OrderPlaced")
        await small.checkout(await small.customer())
        await publish(shop)
        sender = worker(shop)
        await sender.drain()
        await sender.sender.aclose()
    assert receiver.received == []
    (row,) = await SqlWebhookViews(shop.sessions).deliveries()
    assert row.last_status_code == 302 and row.status == "pending"


async def test_a_subscription_failing_for_a_day_is_disabled_and_staff_hear_of_it(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    policy = RetryPolicy(max_attempts=50, first_delay=timedelta(hours=5), jitter=0.0)
    async with running_receiver(status=503) as receiver:
        sub_id, _ = await subscribe(shop, receiver.url, "OrderPlaced")
        await small.checkout(await small.customer())
        await publish(shop)
        sender = worker(shop, policy=policy)
        await sender.drain()
        clock.advance(hours=5)
        await sender.drain()  # failing for 5 hours: still on
        assert (await SqlWebhookViews(shop.sessions).subscriptions())[0].active
        clock.advance(hours=20)
        await sender.drain()  # 25 hours
        await sender.sender.aclose()
    (sub,) = await SqlWebhookViews(shop.sessions).subscriptions()
    assert not sub.active and sub.disabled_reason and "failed for 24 hours" in sub.disabled_reason
    disabled = [e for _, e in await _events(shop) if isinstance(e, WebhookSubscriptionDisabled)]
    assert [(e.subscription_id, e.actor) for e in disabled] == [(sub_id, "system")]
    clock.advance(days=1)
    assert await sender.drain() == 0  # a disabled subscription's deliveries wait


async def _events(shop: Shop) -> list[tuple[str, object]]:
    from domain.adapters import orm
    from domain.events import Event

    async with shop.sessions() as session:
        rows = (await session.execute(select(orm.outbox.c.event_id, orm.outbox.c.name, orm.outbox.c.payload))).all()
    return [(r.event_id, Event.from_record(r.name, r.payload)) for r in rows]


async def test_only_an_admin_may_add_a_subscription_and_bad_input_is_refused(shop: Shop) -> None:
    operator = Actor.staff("olga", Role.OPERATOR)
    with pytest.raises(PermissionDenied, match="takes an admin"):
        await shop.bus.handle(AddWebhookSubscription("https://example.com/h", ("*",), actor=operator))
    with pytest.raises(ValidationFailed, match="Unknown event type"):
        await shop.bus.handle(AddWebhookSubscription("https://example.com/h", ("OrderTeleported",), actor=SYSTEM))
    with pytest.raises(ValidationFailed, match="https://"):
        await shop.bus.handle(AddWebhookSubscription("ftp://example.com/h", ("*",), actor=SYSTEM))
    admin = Actor.staff("ada", Role.ADMIN)
    sub_id, secret = await shop.bus.handle(AddWebhookSubscription("https://example.com/h", ("OrderPaid",), actor=admin))
    assert secret.startswith("whsec_")
    (view,) = await SqlWebhookViews(shop.sessions).subscriptions()
    assert view.id == sub_id and view.event_types == ("OrderPaid",) and "secret" not in repr(view).lower()


async def test_two_workers_draining_together_send_each_delivery_once(shop: Shop) -> None:
    async with running_receiver() as receiver:
        await subscribe(shop, receiver.url)
        await subscribe(shop, receiver.url.replace("127.0.0.1", "localhost"))
        fanout = WebhookFanout(shop.sessions, shop.views, shop.clock)
        for n in range(30):
            await fanout(f"event-{n}", OrderPlaced(n + 1, 1, "webchat", 1000, "USD"))
        first, second = worker(shop), worker(shop)
        first.batch_size = second.batch_size = 7
        sent = await asyncio.gather(first.drain(), second.drain())
        await first.sender.aclose()
        await second.sender.aclose()
    assert sum(sent) == 60 and all(n > 0 for n in sent)
    ids = [r.message_id for r in receiver.received]
    assert len(ids) == 60 and len(set(ids)) == 60


async def test_a_backlog_of_many_batches_is_sent_once_each_and_every_outcome_booked(
    shop: Shop, clock: FakeClock
) -> None:
    """The worker claims the next batch while the last one is still on the wire (a pipeline): no row twice,
    none left claimed, a failure scheduled for its retry and logged like a success."""
    async with running_receiver(fail_first=5) as receiver:
        await subscribe(shop, receiver.url)
        fanout = WebhookFanout(shop.sessions, shop.views, shop.clock)
        for n in range(47):
            await fanout(f"event-{n}", OrderPlaced(n + 1, 1, "webchat", 1000, "USD"))
        sender = worker(shop)
        sender.batch_size, sender.limit, sender.concurrency = 6, 3, asyncio.Semaphore(3)
        assert await sender.drain() == 47
        assert await sender.drain() == 0  # the five failures wait for their back-off
        clock.advance(seconds=10)
        assert await sender.drain() == 5
        await sender.sender.aclose()
    ids = [r.message_id for r in receiver.received]
    assert len(ids) == 52 and len(set(ids)) == 47
    async with shop.sessions() as session:
        d, a = webhook_deliveries.c, webhook_attempts.c
        states = (await session.execute(select(d.status, d.attempts, d.claimed_until))).all()
        logged = int((await session.execute(select(func.count()).select_from(webhook_attempts))).scalar_one())
        failed = int((await session.execute(select(func.count()).where(a.status_code == 500))).scalar_one())
    assert {(s.status, s.claimed_until) for s in states} == {("succeeded", None)}
    assert sorted(s.attempts for s in states) == [1] * 42 + [2] * 5
    assert logged == 52 and failed == 5
