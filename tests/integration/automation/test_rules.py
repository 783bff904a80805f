"""Automation rules on a real database (SQLite and PostgreSQL), run by the outbox after commit: each trigger,
condition and action of the subset that exists, at most once per event, no loops, and the dry run."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, update

from chatshop.bootstrap import Shop
from chatshop.webhooks import subscribe_automations
from domain import commands as c
from domain.adapters import orm
from domain.adapters.orm_automation import automation_runs
from domain.commands_automation import DryRunAutomation, PutAutomationRule, SetAutomationEnabled
from domain.errors import PermissionDenied, ValidationFailed
from domain.events import AutomationNotice, Event, OrderNeedsApproval
from domain.model.money import Money
from domain.model.staff import Actor, Role
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(90)

BIG_FIRST_ORDERS = {
    "name": "big-first-orders",
    "when": "OrderPaid",
    "if": [
        {"total_over": "50.00"},
        {"country_in": ["US", "CA"]},
        {"first_order": True},
        {"sku_in": ["SHOE-RED-42"]},
        {"channel_is": "webchat"},
    ],
    "then": [
        {"tag_customer": "Big-Spender"},
        {"hold_order": "first big order"},
        {"notify_slack": "Order {order_id} ({total}) from {country}"},
    ],
}


async def put(shop: Shop, spec: dict[str, Any], actor: Actor = c.SYSTEM) -> str:
    return str(await shop.bus.handle(PutAutomationRule(spec, source="(test)", actor=actor)))


async def paid_order(small: SmallShop, customer_id: int, sku: str = "SHOE-RED-42") -> int:
    bus = small.shop.bus
    order_id = await small.checkout(customer_id, sku=sku)
    link = await bus.handle(c.StartPayment(order_id, actor=Actor.shopper(customer_id)))
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    order = await small.shop.views.order(order_id)
    assert order is not None
    await bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, order.currency, session_id))
    return order_id


async def outbox_events(shop: Shop) -> list[Event]:
    async with shop.sessions() as session:
        rows = (await session.execute(select(orm.outbox.c.name, orm.outbox.c.payload).order_by(orm.outbox.c.id))).all()
    return [Event.from_record(r.name, r.payload) for r in rows]


async def runs(shop: Shop) -> list[Any]:
    async with shop.sessions() as session:
        return list((await session.execute(select(automation_runs).order_by(automation_runs.c.id))).all())


@pytest.fixture
def automated(small: SmallShop) -> SmallShop:
    subscribe_automations(small.shop)
    return small


async def test_a_big_first_paid_order_is_tagged_held_for_approval_and_announced(automated: SmallShop) -> None:
    shop = automated.shop
    await put(shop, BIG_FIRST_ORDERS)
    customer = await automated.customer()
    order_id = await paid_order(automated, customer)
    await shop.outbox.drain()

    order = await shop.views.order(order_id)
    assert order is not None and order.status == "awaiting_approval"
    assert order.approval_reasons == ("first big order (rule big-first-orders)",)
    profile = await shop.views.customer(customer)
    assert profile is not None and "big-spender" in profile.tags
    events = await outbox_events(shop)
    total = Money(order.total, order.currency).format()
    assert [e.text for e in events if isinstance(e, AutomationNotice)] == [f"Order {order_id} ({total}) from US"]
    assert [e.reasons for e in events if isinstance(e, OrderNeedsApproval)] == [(order.approval_reasons[0],)]
    (run,) = await runs(shop)
    assert run.matched and run.event_type == "OrderPaid" and len(run.actions) == 3


async def test_a_rule_runs_at_most_once_per_event_even_when_the_outbox_delivers_it_again(
    automated: SmallShop,
) -> None:
    shop = automated.shop
    await put(shop, BIG_FIRST_ORDERS)
    await paid_order(automated, await automated.customer())
    await shop.outbox.drain()
    async with shop.sessions() as session, session.begin():  # as if the worker died before recording it
        await session.execute(delete(orm.processed_messages))
        await session.execute(update(orm.outbox).values(delivered_at=None, available_at=shop.clock.now()))
    await shop.outbox.drain()
    assert len(await runs(shop)) == 1
    assert len([e for e in await outbox_events(shop) if isinstance(e, AutomationNotice)]) == 1


async def test_conditions_that_do_not_hold_do_nothing_and_the_run_says_why(automated: SmallShop) -> None:
    shop = automated.shop
    customer = await automated.customer()
    await paid_order(automated, customer)  # before the rule: not run
    await shop.outbox.drain()
    await put(shop, BIG_FIRST_ORDERS)
    second = await paid_order(automated, customer)  # a repeat customer now
    await shop.outbox.drain()
    order = await shop.views.order(second)
    assert order is not None and order.status == "paid"
    (run,) = await runs(shop)
    assert not run.matched and "no: not the first paid order" in run.actions


async def test_a_cheap_mug_order_fails_total_and_sku_conditions(automated: SmallShop) -> None:
    shop = automated.shop
    await put(shop, BIG_FIRST_ORDERS)
    await paid_order(automated, await automated.customer(), sku="MUG-WHT")
    await shop.outbox.drain()
    (run,) = await runs(shop)
    assert not run.matched
    assert "no: total 17.00 USD <= 5000 (minor units)" in run.actions  # a 12.00 mug + 5.00 shipping
    assert "no: SKUs MUG-WHT include none of SHOE-RED-42" in run.actions


async def test_tag_has_and_a_disabled_rule(automated: SmallShop) -> None:
    shop = automated.shop
    vip = {
        "name": "vip",
        "when": "OrderPlaced",
        "if": [{"tag_has": "vip"}],
        "then": [{"notify_slack": "VIP {order_id}"}],
    }
    await put(shop, vip)
    customer = await automated.customer()
    await shop.bus.handle(c.UpdateCustomer(customer, add_tags=("vip",), actor=c.SYSTEM))
    first = await automated.checkout(customer)
    await shop.outbox.drain()
    await shop.bus.handle(SetAutomationEnabled("vip", False, actor=c.SYSTEM))
    await automated.checkout(customer, sku="MUG-WHT")
    await shop.outbox.drain()
    assert [e.text for e in await outbox_events(shop) if isinstance(e, AutomationNotice)] == [f"VIP {first}"]


async def test_low_stock_rules_look_at_the_sku(automated: SmallShop) -> None:
    shop = automated.shop
    rule = {
        "name": "shoes-low",
        "when": "LowStock",
        "if": [{"sku_in": ["MUG-WHT"]}],
        "then": [{"notify_slack": "Low: {sku}"}],
    }
    await put(shop, rule)
    await shop.bus.handle(c.AdjustStock("MUG-WHT", "EAST", -46, "count", actor=c.SYSTEM))
    await shop.outbox.drain()
    assert [e.text for e in await outbox_events(shop) if isinstance(e, AutomationNotice)] == ["Low: MUG-WHT"]
    with pytest.raises(ValidationFailed, match="LowStock is about a SKU, not an order: tag_customer"):
        await put(shop, {**rule, "name": "bad", "then": [{"tag_customer": "x"}]})


async def test_the_dry_run_explains_each_recent_event_and_changes_nothing(automated: SmallShop) -> None:
    shop = automated.shop
    customer = await automated.customer()
    shoes = await paid_order(automated, customer)
    await paid_order(automated, await automated.customer("web-2", "Bo"), sku="MUG-WHT")
    await shop.outbox.drain()
    await put(shop, BIG_FIRST_ORDERS)
    await shop.bus.handle(SetAutomationEnabled("big-first-orders", False, actor=c.SYSTEM))
    viewer = Actor.staff("vic", Role.VIEWER)
    lines = await shop.bus.handle(DryRunAutomation("big-first-orders", actor=viewer, last=10))
    mug, shoe = lines  # newest first
    assert not mug.verdict.matched and mug.verdict.actions == ()
    assert shoe.verdict.matched and shoe.verdict.actions[1] == f"hold order {shoes} for approval (first big order)"
    assert all(r.startswith("yes: ") for r in shoe.verdict.reasons)
    order = await shop.views.order(shoes)
    assert order is not None and order.status == "paid" and await runs(shop) == []


async def test_bad_rules_and_people_without_the_role_are_refused(shop: Shop) -> None:
    with pytest.raises(PermissionDenied, match="takes an admin"):
        await put(shop, BIG_FIRST_ORDERS, actor=Actor.staff("olga", Role.OPERATOR))
    for broken, message in [
        ({**BIG_FIRST_ORDERS, "when": "OrderTeleported"}, "when: one of"),
        ({**BIG_FIRST_ORDERS, "if": [{"moon_phase": "full"}]}, "Unknown condition moon_phase"),
        ({**BIG_FIRST_ORDERS, "then": [{"launch": "x"}]}, "Unknown action launch"),
        ({**BIG_FIRST_ORDERS, "then": []}, "at least one action"),
        ({**BIG_FIRST_ORDERS, "if": [{"total_over": "1.005"}]}, "not an amount"),
        ({**BIG_FIRST_ORDERS, "then": [{"notify_slack": "{password}"}]}, "not a field"),
        ({**BIG_FIRST_ORDERS, "name": "Has Spaces"}, "name:"),
    ]:
        with pytest.raises(ValidationFailed, match=message):
            await put(shop, broken)


async def test_untag_and_call_webhook_send_the_event_to_the_named_subscription_once(automated: SmallShop) -> None:
    import json

    from domain.adapters.orm_webhooks import webhook_deliveries
    from domain.commands_webhooks import AddWebhookSubscription

    shop = automated.shop
    sub_id, _ = await shop.bus.handle(
        AddWebhookSubscription("https://erp.example.com/h", ("OrderShipped",), actor=c.SYSTEM)
    )
    rule = {
        "name": "paid-to-erp",
        "when": "OrderPaid",
        "then": [{"untag_customer": "Prospect"}, {"call_webhook": sub_id}, {"call_webhook": 999}],
    }
    await put(shop, rule)
    customer = await automated.customer()
    await shop.bus.handle(c.UpdateCustomer(customer, add_tags=("prospect", "vip"), actor=c.SYSTEM))
    order_id = await paid_order(automated, customer)
    await shop.outbox.drain()

    profile = await shop.views.customer(customer)
    assert profile is not None and profile.tags == ("vip",)
    async with shop.sessions() as session:
        (row,) = (await session.execute(select(webhook_deliveries))).all()
    body = json.loads(row.body)
    assert row.subscription_id == sub_id and row.event_type == "OrderPaid" and row.status == "pending"
    assert body["data"]["rule"] == "paid-to-erp" and body["data"]["event"]["order_id"] == order_id
    (run,) = await runs(shop)
    assert run.actions[-1] == "not sent: webhook 999 does not exist or already has this event"
    with pytest.raises(ValidationFailed, match="call_webhook takes the id"):
        await put(shop, {**rule, "then": [{"call_webhook": "https://x"}]})
