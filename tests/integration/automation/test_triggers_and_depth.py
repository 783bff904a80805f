"""Automation on a real database (SQLite and PostgreSQL), through the outbox: the CustomerCreated and
CampaignFinished triggers and their conditions, the depth counter that stops rules triggering each other,
and an action the order can't take yet retried through the outbox, then recorded as failed."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from chatshop.bootstrap import Shop
from chatshop.webhooks import subscribe_automations
from domain import commands as c
from domain import events
from domain.adapters import orm
from domain.adapters.orm_automation import automation_runs
from domain.commands_automation import PutAutomationRule
from domain.errors import ValidationFailed
from domain.events import AutomationNotice, Event
from domain.model.automation import ACTION_ATTEMPTS, MAX_DEPTH
from domain.model.staff import Actor
from tests.support.clock import FakeClock
from tests.support.shopdata import ADDRESS, SmallShop

pytestmark = pytest.mark.timeout(120)


async def put(shop: Shop, spec: dict[str, Any]) -> None:
    await shop.bus.handle(PutAutomationRule(spec, source="(test)", actor=c.SYSTEM))


async def outbox_rows(shop: Shop) -> list[tuple[Event, int]]:
    o = orm.outbox.c
    async with shop.sessions() as session:
        rows = (await session.execute(select(o.name, o.payload, o.cause_depth).order_by(o.id))).all()
    return [(Event.from_record(r.name, r.payload), r.cause_depth) for r in rows]


async def run_lines(shop: Shop) -> list[list[str]]:
    async with shop.sessions() as session:
        rows = (await session.execute(select(automation_runs.c.actions).order_by(automation_runs.c.id))).all()
    return [list(r.actions) for r in rows]


async def publish(shop: Shop, event: Event, depth: int = 0) -> None:
    """Commit an event as a handler would, at a chosen depth (as if that many rules had caused it)."""
    async with shop.bus.ctx.uow() as uow:
        uow.cause_depth = depth
        uow.publish(event)
        await uow.commit()


async def notices(shop: Shop) -> list[str]:
    return [e.text for e, _ in await outbox_rows(shop) if isinstance(e, AutomationNotice)]


@pytest.fixture
def automated(small: SmallShop) -> SmallShop:
    subscribe_automations(small.shop)
    return small


async def test_a_new_chat_customer_is_tagged_and_given_a_welcome_coupon_and_a_till_customer_is_not(
    automated: SmallShop,
) -> None:
    shop = automated.shop
    rule = {
        "name": "welcome",
        "when": "CustomerCreated",
        "if": [{"channel_is": "webchat"}],
        "then": [{"tag_customer": "new"}, {"issue_coupon": "WELCOME10"}, {"notify_slack": "new customer {channel}"}],
    }
    await put(shop, rule)
    ann = await automated.customer("web-new", "Ann")
    await automated.customer("web-new", "Ann")  # known now: not created again
    await shop.outbox.drain()
    profile = await shop.views.customer(ann)
    assert profile is not None and profile.tags == ("new",)
    assert await notices(shop) == ["new customer webchat"]
    (lines,) = await run_lines(shop)
    assert lines[1].startswith("issued coupon WELCOME10-") and lines[1].endswith(f"to customer {ann}")

    till = c.PlaceExternalOrder(
        "pos", "T-1", "till@example.com", "Tim", (("MUG-WHT", 1),), ADDRESS, "standard", actor=c.SYSTEM
    )
    await shop.bus.handle(till)
    await shop.outbox.drain()
    created = [e for e, _ in await outbox_rows(shop) if isinstance(e, events.CustomerCreated)]
    assert [e.channel for e in created] == ["webchat", "pos"]
    assert len(await run_lines(shop)) == 2 and (await run_lines(shop))[1][0].startswith("no: channel pos")


async def test_customer_and_campaign_rules_refuse_what_they_cannot_look_at(shop: Shop) -> None:
    for spec, message in [
        ({"name": "x", "when": "CustomerCreated", "then": [{"hold_order": "why"}]}, "a new customer, not an order"),
        ({"name": "x", "when": "CampaignFinished", "then": [{"tag_customer": "a"}]}, "a campaign, not an order"),
        ({"name": "x", "when": "OrderPaid", "if": [{"sent_over": 5}], "then": [{"tag_customer": "a"}]}, "sent_over"),
        ({"name": "x", "when": "CampaignFinished", "if": [{"sent_over": "many"}], "then": [{"notify_slack": "a"}]},
         "a number of messages"),
    ]:  # fmt: skip
        with pytest.raises(ValidationFailed, match=message):
            await put(shop, spec)


async def test_a_finished_campaign_is_announced_only_when_enough_messages_went_out(automated: SmallShop) -> None:
    shop = automated.shop
    rule = {
        "name": "big-campaigns",
        "when": "CampaignFinished",
        "if": [{"sent_over": 1000}],
        "then": [{"notify_slack": "{campaign} reached {sent} ({unknown} unknown)"}],
    }
    await put(shop, rule)
    await publish(shop, events.CampaignFinished(7, "spring", 1, 1500, 0))
    await publish(shop, events.CampaignFinished(8, "tiny", 1, 12, 1))
    await shop.outbox.drain()
    assert await notices(shop) == ["spring reached 1500 (0 unknown)"]
    assert (await run_lines(shop))[1] == ["no: 12 messages sent, <= 1000"]


async def test_events_caused_by_rules_carry_their_depth_and_rules_stop_at_the_cap(
    automated: SmallShop, caplog: pytest.LogCaptureFixture
) -> None:
    shop = automated.shop
    await put(shop, {"name": "on-cancel", "when": "OrderCancelled", "then": [{"notify_slack": "cancelled {order_id}"}]})
    await publish(shop, events.OrderCancelled(1, 1, "changed mind", "ada"), depth=0)
    await publish(shop, events.OrderCancelled(2, 1, "rules", "automation:x"), depth=MAX_DEPTH - 1)
    with caplog.at_level(logging.WARNING, logger="domain.service_layer.handlers.automation"):
        await publish(shop, events.OrderCancelled(3, 1, "a loop", "automation:x"), depth=MAX_DEPTH)
        await shop.outbox.drain()
    depths = {e.text: depth for e, depth in await outbox_rows(shop) if isinstance(e, AutomationNotice)}
    assert depths == {"cancelled 1": 1, "cancelled 2": MAX_DEPTH}  # one rule deeper than what triggered it
    assert len(await run_lines(shop)) == 2
    assert any("loop guard" in r.getMessage() and f"cap {MAX_DEPTH}" in r.getMessage() for r in caplog.records)


async def test_holding_an_unpaid_order_is_retried_through_the_outbox_and_done_once_it_is_paid(
    automated: SmallShop, clock: FakeClock
) -> None:
    shop = automated.shop
    await put(shop, {"name": "hold-all", "when": "OrderPlaced", "then": [{"hold_order": "check first"}]})
    customer = await automated.customer()
    order_id = await automated.checkout(customer, sku="MUG-WHT")
    await shop.outbox.drain()
    (lines,) = await run_lines(shop)
    assert lines[0].startswith(f"not held yet: order {order_id} is not paid yet; try 2 of {ACTION_ATTEMPTS} at ")
    await _pay(automated, order_id, customer)
    await shop.outbox.drain()
    order = await shop.views.order(order_id)
    assert order is not None and order.status == "paid"  # the retry is not due yet
    clock.advance(minutes=2)
    await shop.outbox.drain()
    order = await shop.views.order(order_id)
    assert order is not None and order.status == "awaiting_approval"
    (lines,) = await run_lines(shop)
    assert lines[1] == f"try 2: hold order {order_id} for approval (check first)"
    clock.advance(hours=1)
    await shop.outbox.drain()
    assert len((await run_lines(shop))[0]) == 2  # nothing more to try


async def test_an_action_the_order_never_can_take_is_recorded_failed_after_the_last_try(
    automated: SmallShop, clock: FakeClock
) -> None:
    shop = automated.shop
    await put(shop, {"name": "hold-all", "when": "OrderPlaced", "then": [{"hold_order": "check first"}]})
    order_id = await automated.checkout(await automated.customer(), sku="MUG-WHT")
    for _ in range(ACTION_ATTEMPTS + 1):
        await shop.outbox.drain()
        clock.advance(minutes=20)  # past each delay (1, 2, 4, 8 minutes) but before the reservation expires
    (lines,) = await run_lines(shop)
    assert len(lines) == ACTION_ATTEMPTS
    assert lines[-1] == f"failed after {ACTION_ATTEMPTS} tries: not held yet: order {order_id} is not paid yet"
    retries = [e for e, _ in await outbox_rows(shop) if isinstance(e, events.AutomationActionRetry)]
    assert [e.attempt for e in retries] == list(range(2, ACTION_ATTEMPTS + 1))


async def _pay(small: SmallShop, order_id: int, customer: int) -> None:
    bus = small.shop.bus
    link = await bus.handle(c.StartPayment(order_id, actor=Actor.shopper(customer)))
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    order = await small.shop.views.order(order_id)
    assert order is not None
    await bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, order.currency, session_id))
