"""Campaign revenue on the dashboard: an order credited to a campaign after it was paid moves into the
campaign's rollup (the credit is an event of its own), beside the messages the campaign sent."""

from __future__ import annotations

from datetime import timedelta

from domain import commands as c
from domain.adapters.rollup_views import RollupViews
from domain.adapters.rollups import verify
from tests.integration.campaigns.helpers import Person, add_people, approved, campaign, paid_order
from tests.integration.campaigns.test_lifecycle import Recorder, dispatcher
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop


async def test_an_order_credited_to_a_campaign_after_payment_counts_as_campaign_revenue(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    buyer, _ = await add_people(shop, [Person(telegram=1), Person(telegram=2)], clock.now())
    campaign_id = await approved(shop, campaign())
    await dispatcher(shop, Recorder()).drain()
    clock.advance(days=1)
    order_id = await paid_order(small, buyer)
    await shop.outbox.drain()  # paid, not yet credited
    assert await shop.bus.handle(c.AttributeOrder(order_id)) == campaign_id
    await shop.outbox.drain()
    order = await shop.views.order(order_id)
    assert order is not None
    today = clock.now().date()
    rows = await RollupViews(shop.sessions, "USD", shop.clock).campaigns(today - timedelta(days=6), today)
    assert [(r.label, r.orders, r.amount, sent) for r, sent in rows] == [("spring", 1, order.total, 2)]
    assert await verify(shop.sessions) == []
