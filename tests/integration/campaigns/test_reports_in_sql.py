"""Campaign reports are grouped counts in SQL: every campaign's report in one statement, each counting only
its own deliveries, clicks, opt-outs and credited orders (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest

from domain import commands as c
from tests.integration.campaigns.helpers import Person, add_people, approved, campaign, paid_order
from tests.integration.campaigns.test_lifecycle import Recorder, dispatcher
from tests.integration.test_checkout_statements import counting
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(30)


async def test_the_campaign_list_reads_every_report_in_one_statement_each_with_its_own_counts(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    first, second, _ = await add_people(shop, [Person(telegram=n) for n in (1, 2, 3)], clock.now())
    spring = await approved(shop, campaign("spring"))
    await dispatcher(shop, Recorder()).drain()
    summer = await approved(shop, campaign("summer"))  # approved later: nothing sent yet
    await shop.bus.handle(campaign("draft-only"))
    clicks = [(first, spring), (second, spring), (first, summer)]
    for customer, campaign_id in clicks:
        await shop.bus.handle(
            c.RecordAnalytics("campaign_click", customer_id=customer, properties={"campaign_id": campaign_id})
        )
    # An opt-out written with the id as text (older rows) counts for the same campaign.
    await shop.bus.handle(
        c.RecordAnalytics("campaign_optout", customer_id=second, properties={"campaign_id": str(spring)})
    )
    order_id = await paid_order(small, first)
    assert await shop.bus.handle(c.AttributeOrder(order_id)) in (spring, summer)
    order = await shop.views.order(order_id)
    assert order is not None

    with counting(small) as statements:
        reports = await shop.views.campaigns.reports()
    assert len(statements) == 1, statements.sql

    by_name = {r.name: r for r in reports}
    assert [r.name for r in reports] == ["spring", "summer", "draft-only"]
    assert (by_name["spring"].recipients, by_name["spring"].sent, by_name["spring"].delivered) == (3, 3, 3)
    assert (by_name["spring"].clicks, by_name["spring"].opt_outs) == (2, 1)
    assert (by_name["summer"].recipients, by_name["summer"].clicks, by_name["summer"].opt_outs) == (0, 1, 0)
    assert by_name["draft-only"].status == "draft" and by_name["draft-only"].clicks == 0
    credited = [r for r in reports if r.orders]
    assert len(credited) == 1 and credited[0].revenue == order.total and credited[0].currency == "USD"

    # One campaign's report is the same statement narrowed to it, and agrees with the list.
    (alone,) = await shop.views.campaigns.reports("spring")
    assert alone == by_name["spring"]
    assert await shop.views.campaigns.reports("nope") == []
