"""The fan-out keeps the subscriptions per process and reads them again only when they changed, whichever
process changed them: a change committed before an event always counts for it (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from chatshop.bootstrap import Shop
from domain.adapters.orm_webhooks import webhook_deliveries
from domain.adapters.webhooks_delivery import WebhookFanout
from domain.commands import SYSTEM
from domain.commands_webhooks import DisableWebhookSubscription, EnableWebhookSubscription
from domain.events import OrderPaid, OrderPlaced
from tests.integration.webhooks.helpers import subscribe

pytestmark = pytest.mark.timeout(60)


async def delivered_to(shop: Shop) -> list[tuple[str, int]]:
    d = webhook_deliveries.c
    async with shop.sessions() as session:
        rows = (await session.execute(select(d.event_id, d.subscription_id).order_by(d.id))).all()
    return [(r.event_id, r.subscription_id) for r in rows]


async def test_many_events_read_the_subscriptions_once(shop: Shop) -> None:
    await subscribe(shop, "https://example.com/all")
    fanout = WebhookFanout(shop.sessions, shop.views, shop.clock)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    sync_engine = shop.engine.sync_engine
    sa_event.listen(sync_engine, "before_cursor_execute", count)
    try:
        for n in range(20):
            await fanout(f"e-{n}", OrderPlaced(n, 1, "webchat", 1000, "USD"))
    finally:
        sa_event.remove(sync_engine, "before_cursor_execute", count)
    assert fanout.subscriptions.loads == 1
    reads = [s for s in statements if "FROM webhook_subscriptions" in s and "count(" not in s.lower()]
    assert len(reads) == 1
    assert len(await delivered_to(shop)) == 20


async def test_a_change_made_elsewhere_counts_for_the_next_event(shop: Shop) -> None:
    paid_id, _ = await subscribe(shop, "https://example.com/paid", "OrderPaid")
    fanout = WebhookFanout(shop.sessions, shop.views, shop.clock)  # this process's, with its cache
    await fanout("e-1", OrderPaid(1, 1, "webchat", 1000, "USD"))
    # Another process (the API, the CLI) changes the subscriptions; the clock has not moved.
    await shop.bus.handle(DisableWebhookSubscription(paid_id, actor=SYSTEM))
    await fanout("e-2", OrderPaid(2, 1, "webchat", 1000, "USD"))
    all_id, _ = await subscribe(shop, "https://example.com/all")
    await fanout("e-3", OrderPaid(3, 1, "webchat", 1000, "USD"))
    await shop.bus.handle(EnableWebhookSubscription(paid_id, actor=SYSTEM))
    await fanout("e-4", OrderPaid(4, 1, "webchat", 1000, "USD"))
    assert sorted(await delivered_to(shop)) == [("e-1", paid_id), ("e-3", all_id), ("e-4", paid_id), ("e-4", all_id)]
    assert fanout.subscriptions.loads == 4
