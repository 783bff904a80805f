"""Segment rules over CRM data, counted live, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.errors import ValidationFailed
from domain.model.campaigns import parse_rule
from domain.model.staff import Actor
from tests.integration.campaigns.helpers import Person, add_people, campaign, paid_order
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(60)


async def count(
    shop: Shop, segment: dict[str, object], channels: tuple[str, ...] = ("telegram", "email")
) -> dict[str, int]:
    cmd = campaign("probe", segment=segment, channels=channels)
    from domain.service_layer.handlers.campaigns import build_campaign

    built = build_campaign(cmd, shop.clock.now())
    async with shop.sessions() as session:
        return await SqlCampaignRepository(session).count(built, shop.clock.now())


async def test_segment_rules_select_customers_by_crm_data_and_count_only_the_reachable(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    now = clock.now()
    de_vip, de_plain, us_zh, nobody, blocked = await add_people(
        shop,
        [
            Person(telegram=1, country="DE", tags=("vip",)),
            Person(telegram=2, country="DE", opted_in=False),
            Person(email="z@example.com", country="US", locale="zh-CN", tags=("vip", "new")),
            Person(country="FR"),  # no channel at all
            Person(telegram=5, country="DE", tags=("vip",), unreachable=("telegram",)),
        ],
        now,
    )
    assert await count(shop, {"field": "country", "op": "in", "value": ["de"]}) == {"matching": 3, "reachable": 1}
    assert (await count(shop, {"field": "tag", "op": "any", "value": ["vip"]}))["reachable"] == 2
    assert (await count(shop, {"field": "tag", "op": "all", "value": ["vip", "new"]}))["matching"] == 1
    assert (await count(shop, {"field": "tag", "op": "none", "value": ["vip"]}))["matching"] == 2
    assert (await count(shop, {"field": "locale", "op": "in", "value": ["zh"]}))["matching"] == 1
    either = {
        "any": [{"field": "country", "op": "in", "value": ["FR"]}, {"field": "locale", "op": "in", "value": "zh"}]
    }
    assert (await count(shop, either))["matching"] == 2
    assert (await count(shop, {"not": either}))["matching"] == 3
    assert (await count(shop, {"field": "channel", "op": "in", "value": ["email"]}))["matching"] == 1
    assert (await count(shop, {"field": "consent", "op": "is", "value": False}))["matching"] == 1
    # Only the e-mail campaign reaches the e-mail customer.
    assert (await count(shop, {"field": "locale", "op": "in", "value": ["zh"]}, channels=("telegram",)))[
        "reachable"
    ] == 0
    _ = (de_vip, de_plain, us_zh, nobody, blocked)


async def test_order_history_rules_use_paid_orders_products_categories_carts_and_activity(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    buyer, mug_buyer, carter, idle = await add_people(
        shop, [Person(telegram=11), Person(telegram=12), Person(telegram=13), Person(telegram=14)], clock.now()
    )
    await paid_order(small, buyer, "SHOE-RED-42")
    clock.advance(days=2)
    await paid_order(small, buyer, "SHOE-BLU-42")
    await paid_order(small, mug_buyer, "MUG-WHT", 2)
    await small.checkout(idle, "MUG-WHT")  # placed, never paid: not a purchase
    await shop.bus.handle(c.AddToCart(carter, "MUG-WHT", 1, actor=Actor.shopper(carter)))
    clock.advance(hours=30)

    async def ids(segment: dict[str, object]) -> int:
        return (await count(shop, segment))["matching"]

    assert await ids({"field": "order_count", "op": "gte", "value": 2}) == 1
    assert await ids({"field": "order_count", "op": "eq", "value": 0}) == 2
    assert await ids({"field": "lifetime_value", "op": "gte", "value": 16000}) == 1
    assert await ids({"field": "bought_category", "value": ["shoes"]}) == 1
    assert await ids({"field": "bought_category", "value": ["home"]}) == 1  # Home > Mugs: the parent counts
    assert await ids({"field": "bought_product", "value": ["mug-wht"]}) == 1
    day = (clock.now() - timedelta(days=1)).date().isoformat()
    assert await ids({"field": "first_order", "op": "before", "value": day}) == 1
    assert await ids({"field": "last_order", "op": "after", "value": "2020-01-01"}) == 2
    assert await ids({"field": "cart_abandoned_hours", "op": "gt", "value": 24}) == 1
    assert await ids({"field": "cart_abandoned_hours", "op": "gt", "value": 100}) == 0
    assert await ids({"field": "inactive_days", "op": "gte", "value": 2}) == 1  # only the one who never ordered
    clock.advance(days=40)
    assert await ids({"field": "inactive_days", "op": "gte", "value": 30}) == 4


@pytest.mark.parametrize(
    "bad",
    [
        {"field": "shoe_size", "op": "in", "value": ["42"]},
        {"field": "country", "op": "gte", "value": ["DE"]},
        {"field": "order_count", "op": "gte", "value": "many"},
        {"all": []},
        {"all": [{"field": "consent", "value": True}], "any": []},
        {"field": "first_order", "op": "before", "value": "yesterday"},
        {"field": "channel", "op": "in", "value": ["fax"]},
    ],
)
def test_invalid_segment_rules_are_refused_with_a_reason(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        parse_rule(bad)
