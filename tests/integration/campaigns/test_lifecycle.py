"""Campaign life cycle, permissions, and the send-time rules: consent, quiet hours, frequency cap,
blocked chats, crashed workers, stock, attribution and the report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bots.campaigns.dispatcher import Dispatcher, Limits
from bots.campaigns.links import LinkSigner
from bots.campaigns.ratelimit import LocalRateLimiter
from bots.campaigns.transport import Message
from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters import orm
from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.errors import IllegalTransition, PermissionDenied, ValidationFailed
from domain.model.campaigns import SendOutcome
from domain.model.staff import Actor
from domain.service_layer.handlers.campaigns import pause_if_out_of_stock
from tests.integration.campaigns.helpers import (
    APPROVER,
    MARKETER,
    VIEWER,
    Person,
    add_people,
    approved,
    campaign,
    paid_order,
    store,
)
from tests.support.clock import FakeClock
from tests.support.shopdata import ADDRESS, SmallShop

pytestmark = pytest.mark.timeout(20)


class Recorder:
    """An in-memory channel: records what it was asked to send; chats in ``blocked`` answer 403."""

    def __init__(self, blocked: set[str] | None = None) -> None:
        self.sent: list[Message] = []
        self.blocked = blocked or set()

    async def send(self, message: Message) -> SendOutcome:
        if message.address in self.blocked:
            return SendOutcome.blocked()
        self.sent.append(message)
        return SendOutcome.sent()


def dispatcher(shop: Shop, transport: Recorder, worker: str = "w1") -> Dispatcher:
    return Dispatcher(
        store(shop, worker),
        shop.bus,
        {"telegram": transport, "webchat": transport, "email": transport},
        LocalRateLimiter(),
        LinkSigner("secret", "http://shop.test"),
        Limits(rate_per_second=1000, chat_per_second=1000, max_in_flight=10),
        stock_check=lambda cid: pause_if_out_of_stock(cid, shop.bus.ctx),
    )


async def states(shop: Shop, campaign_id: int) -> dict[str, int]:
    return await store(shop).counts(campaign_id)


async def test_marketers_draft_and_submit_but_only_approvers_approve(small: SmallShop) -> None:
    shop = small.shop
    with pytest.raises(PermissionDenied):
        await shop.bus.handle(campaign(actor=VIEWER))
    await shop.bus.handle(campaign())
    await shop.bus.handle(c.SubmitCampaign("spring", actor=MARKETER))
    with pytest.raises(PermissionDenied):
        await shop.bus.handle(c.ApproveCampaign("spring", actor=MARKETER))
    await shop.bus.handle(c.ApproveCampaign("spring", actor=APPROVER))
    with pytest.raises(IllegalTransition):
        await shop.bus.handle(campaign(replace=True))  # approved campaigns can't be edited
    await shop.bus.handle(c.PauseCampaign("spring", actor=MARKETER))
    await shop.bus.handle(c.ResumeCampaign("spring", actor=MARKETER))
    await shop.bus.handle(c.CancelCampaign("spring", actor=MARKETER))
    with pytest.raises(IllegalTransition):
        await shop.bus.handle(c.ResumeCampaign("spring", actor=MARKETER))


async def test_a_run_reaches_each_reachable_customer_once_in_their_language_and_skips_late_opt_outs(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    en, zh, late, never, gone = await add_people(
        shop,
        [
            Person(telegram=1),
            Person(telegram=2, locale="zh-CN"),
            Person(telegram=3),
            Person(telegram=4, opted_in=False),
            Person(telegram=5),
        ],
        clock.now(),
    )
    campaign_id = await approved(shop, campaign())
    send = Recorder(blocked={"5"})
    d = dispatcher(shop, send)
    # The run is queued by the first pass; a shopper who opts out before their message goes is skipped.
    await d.store.due_campaigns()
    assert await shop.bus.handle(c.StartCampaignRun(campaign_id)) == 4
    await shop.bus.handle(c.SetMarketingConsent(late, False, "chat", actor=c.SYSTEM))
    await d.drain()
    assert sorted((m.address, m.text) for m in send.sent) == [("1", "Spring sale: 20% off shoes"), ("2", "春季促销")]
    assert await states(shop, campaign_id) == {"sent": 2, "skipped_optout": 1, "blocked": 1}
    profile = await shop.views.customer(gone)
    assert profile is not None
    async with shop.sessions() as session:
        unreachable = (
            await session.execute(select(orm.customers.c.unreachable_channels).where(orm.customers.c.id == gone))
        ).scalar_one()
    assert unreachable == ["telegram"]
    # Draining again sends nothing more: every delivery is final and the campaign finished.
    await d.drain()
    assert len(send.sent) == 2
    async with shop.sessions() as session:
        found = await SqlCampaignRepository(session).get(campaign_id)
    assert found is not None and found.status.value == "finished"
    _ = (en, zh, never)


async def test_quiet_hours_hold_messages_until_morning_in_the_customers_time_zone(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    clock.current = clock.current.replace(hour=13, minute=0)  # 13:00 UTC = 22:00 in Tokyo, 14:00 in Berlin
    await add_people(
        shop, [Person(telegram=1, timezone="Asia/Tokyo"), Person(telegram=2, timezone="Europe/Berlin")], clock.now()
    )
    campaign_id = await approved(shop, campaign())
    send = Recorder()
    await dispatcher(shop, send).drain()
    assert [m.address for m in send.sent] == ["2"]
    assert await states(shop, campaign_id) == {"sent": 1, "queued": 1}
    clock.advance(hours=11)  # 09:00 in Tokyo (13:00 UTC was 22:00 there)
    await dispatcher(shop, send).drain()
    assert [m.address for m in send.sent] == ["2", "1"]


async def test_the_frequency_cap_stops_a_third_marketing_message_within_seven_days(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    await add_people(shop, [Person(telegram=1)], clock.now())
    send = Recorder()
    for n in range(3):
        cid = await approved(shop, campaign(f"c{n}"))
        await dispatcher(shop, send).drain()
        clock.advance(days=1)
    assert len(send.sent) == 2
    assert await states(shop, cid) == {"skipped_cap": 1}
    clock.advance(days=7)
    await approved(shop, campaign("later"))
    await dispatcher(shop, send).drain()
    assert len(send.sent) == 3


async def test_a_worker_that_dies_mid_send_leaves_unknown_never_a_resend(small: SmallShop, clock: FakeClock) -> None:
    shop = small.shop
    await add_people(shop, [Person(telegram=i) for i in range(1, 6)], clock.now())
    campaign_id = await approved(shop, campaign())
    await shop.bus.handle(c.StartCampaignRun(campaign_id))
    dead = store(shop, "dead-worker")
    claimed, _ = await dead.claim(2)  # recorded as sending, then the process "dies" before finishing
    assert len(claimed) == 2
    send = Recorder()
    await dispatcher(shop, send).drain(horizon_seconds=0)
    assert len(send.sent) == 3
    clock.advance(minutes=5)  # past the lease
    await dispatcher(shop, send).drain()
    assert len(send.sent) == 3
    assert await states(shop, campaign_id) == {"sent": 3, "unknown": 2}
    assert not await dead.finish(claimed[0], SendOutcome.sent())  # the dead worker's late answer is refused


async def test_a_campaign_featuring_an_unknown_sku_is_refused_and_not_created(small: SmallShop) -> None:
    shop = small.shop
    with pytest.raises(ValidationFailed, match="NO-SUCH-SKU"):
        await shop.bus.handle(campaign(contents={"en": {"text": "New!", "skus": ["SHOE-BLU-42", "NO-SUCH-SKU"]}}))
    async with shop.sessions() as session:
        assert await SqlCampaignRepository(session).get("spring") is None


async def test_a_campaign_featuring_a_product_pauses_itself_when_it_sells_out(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    await add_people(shop, [Person(telegram=i) for i in range(1, 4)], clock.now())
    contents = {"en": {"text": "Our blue shoes", "skus": ["SHOE-BLU-42"]}}
    campaign_id = await approved(shop, campaign(contents=contents))
    await shop.bus.handle(c.StartCampaignRun(campaign_id))
    await shop.bus.handle(c.AdjustStock("SHOE-BLU-42", "WEST", -2, "sold elsewhere", actor=c.SYSTEM))
    send = Recorder()
    await dispatcher(shop, send).drain()
    assert send.sent == []
    async with shop.sessions() as session:
        found = await SqlCampaignRepository(session).get(campaign_id)
        events = (await session.execute(select(orm.outbox.c.name, orm.outbox.c.payload))).all()
    assert found is not None and found.status.value == "paused"
    assert found.pause_reason == "out of stock: SHOE-BLU-42"
    assert any(name == "CampaignPaused" and p["reason"] == "out of stock: SHOE-BLU-42" for name, p in events)
    with pytest.raises(Exception, match="out of stock"):
        await shop.bus.handle(c.ResumeCampaign("spring", actor=MARKETER))
    await shop.bus.handle(c.ReceiveStock("SHOE-BLU-42", "WEST", 5, actor=c.SYSTEM))
    await shop.bus.handle(c.ResumeCampaign("spring", actor=MARKETER))
    await dispatcher(shop, send).drain()
    assert len(send.sent) == 3


async def test_orders_within_the_attribution_window_are_credited_to_the_last_campaign_touch(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    clicked, late = await add_people(shop, [Person(telegram=1), Person(telegram=2)], clock.now())
    campaign_id = await approved(shop, campaign())
    await dispatcher(shop, Recorder()).drain()
    await shop.bus.handle(
        c.RecordAnalytics("campaign_click", customer_id=clicked, properties={"campaign_id": campaign_id})
    )
    clock.advance(days=3)
    credited = await paid_order(small, clicked)
    assert await shop.bus.handle(c.AttributeOrder(credited)) == campaign_id
    clock.advance(days=5)  # 8 days after the message: outside the 7-day window
    not_credited = await paid_order(small, late)
    assert await shop.bus.handle(c.AttributeOrder(not_credited)) is None
    order = await shop.views.order(credited)
    assert order is not None
    async with shop.sessions() as session:
        repo = SqlCampaignRepository(session)
        found = await repo.get(campaign_id)
        assert found is not None
        report = await repo.report(found, "USD")
    assert (report.recipients, report.sent, report.clicks, report.orders) == (2, 2, 1, 1)
    assert report.revenue == order.total
    assert report.revenue_per_1000 == order.total * 1000 // 2
    _ = timedelta


async def test_the_abandoned_cart_automation_messages_each_abandonment_once(small: SmallShop, clock: FakeClock) -> None:
    shop = small.shop
    ann, bob = await add_people(shop, [Person(telegram=1), Person(telegram=2)], clock.now())
    await approved(shop, campaign("cart-reminder", trigger="abandoned_cart", trigger_hours=4))
    await shop.bus.handle(c.AddToCart(ann, "MUG-WHT", 1, actor=Actor.shopper(ann)))
    clock.advance(hours=2)
    await shop.bus.handle(c.AddToCart(bob, "MUG-WHT", 1, actor=Actor.shopper(bob)))
    clock.advance(hours=3)  # Ann's cart is 5 hours old, Bob's 3
    send = Recorder()
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 1
    await dispatcher(shop, send).drain()
    assert [m.address for m in send.sent] == ["1"]
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 0  # the same abandonment: no second message
    clock.advance(hours=2)
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 1
    await dispatcher(shop, send).drain()
    assert [m.address for m in send.sent] == ["1", "2"]


async def test_an_abandoned_cart_reminder_shows_the_cart_as_it_is_now_with_a_button_to_check_out(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    (ann,) = await add_people(shop, [Person(telegram=1)], clock.now())
    await approved(shop, campaign("cart-reminder", trigger="abandoned_cart", trigger_hours=4))
    await shop.bus.handle(c.AddToCart(ann, "SHOE-RED-42", 1, actor=Actor.shopper(ann)))
    await shop.bus.handle(c.AddToCart(ann, "MUG-WHT", 2, actor=Actor.shopper(ann)))
    clock.advance(hours=5)
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 1
    send = Recorder()
    await dispatcher(shop, send).drain()
    [message] = send.sent
    assert message.skus == ("SHOE-RED-42", "MUG-WHT") and message.checkout


async def test_a_reminder_for_a_cart_ordered_or_touched_since_is_skipped_as_stale(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    ann, bob = await add_people(shop, [Person(telegram=1), Person(telegram=2)], clock.now())
    campaign_id = await approved(shop, campaign("cart-reminder", trigger="abandoned_cart", trigger_hours=4))
    for who in (ann, bob):
        await shop.bus.handle(c.AddToCart(who, "MUG-WHT", 1, actor=Actor.shopper(who)))
    clock.advance(hours=5)
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 2  # queued; not sent yet (say, quiet hours)
    await shop.bus.handle(
        c.PlaceOrder(ann, ADDRESS, "standard", "telegram", actor=Actor.shopper(ann))
    )  # Ann checked out after all
    await shop.bus.handle(
        c.AddToCart(bob, "SHOE-RED-42", 1, actor=Actor.shopper(bob))
    )  # Bob came back: a new abandonment may follow
    send = Recorder()
    await dispatcher(shop, send).drain()
    assert send.sent == []
    assert await states(shop, campaign_id) == {"skipped_stale": 2}
