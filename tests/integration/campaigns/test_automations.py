"""The automations beside the abandoned cart: back in stock (for shoppers who asked) and win-back (for
customers who stopped ordering). Both are campaigns: approval, consent, segment and the UNIQUE delivery
row per (campaign, run, customer, channel) apply; ``run`` names the occasion so each counts once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bots.campaigns.dispatcher import Dispatcher
from bots.campaigns.links import LinkSigner
from bots.campaigns.ratelimit import LocalRateLimiter
from bots.campaigns.transport import Message
from chatshop.bootstrap import Shop
from chatshop.cli_campaign import subscribe_back_in_stock
from domain import commands as c
from domain.adapters import orm
from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.adapters.orm_campaigns import campaign_deliveries
from domain.errors import PermissionDenied, ValidationFailed
from domain.model.campaigns import CampaignStatus, SendOutcome, StockSubscription
from domain.model.staff import Actor
from domain.service_layer.campaign_files import command_from_yaml
from domain.service_layer.handlers.campaigns import pause_if_out_of_stock
from tests.integration.campaigns.helpers import (
    APPROVER,
    MARKETER,
    Person,
    add_people,
    add_staff,
    approved,
    campaign,
    paid_order,
    store,
)
from tests.integration.campaigns.test_cli import cli
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(30)
SKU = "SHOE-BLU-42"  # 2 in stock in the small shop


class Recorder:
    def __init__(self) -> None:
        self.sent: list[Message] = []

    async def send(self, message: Message) -> SendOutcome:
        self.sent.append(message)
        return SendOutcome.sent()


def dispatcher(shop: Shop, transport: Recorder) -> Dispatcher:
    transports = {"telegram": transport, "webchat": transport, "email": transport}
    return Dispatcher(store(shop), shop.bus, transports, LocalRateLimiter(), LinkSigner("secret", "http://shop.test"))


async def sell_out(shop: Shop, sku: str = SKU) -> None:
    """Count it down to nothing available in every warehouse."""
    stock = await shop.views.stock(sku)
    assert stock is not None
    for row in stock.rows:
        if row.available > 0:
            await shop.bus.handle(c.AdjustStock(sku, row.warehouse_code, -row.available, "stock count", actor=c.SYSTEM))


async def subscriptions(shop: Shop) -> list[StockSubscription]:
    async with shop.sessions() as session:
        return await SqlCampaignRepository(session).stock_subscriptions()


async def deliveries(shop: Shop) -> list[tuple[int, int, int, str]]:
    """(campaign, run, customer, channel) of every delivery row."""
    d = campaign_deliveries.c
    async with shop.sessions() as session:
        stmt = select(d.campaign_id, d.run, d.customer_id, d.channel).order_by(d.id)
        return [tuple(r) for r in (await session.execute(stmt)).all()]  # type: ignore[misc]


async def outbox_names(shop: Shop) -> list[str]:
    async with shop.sessions() as session:
        return list((await session.execute(select(orm.outbox.c.name).order_by(orm.outbox.c.id))).scalars())


def back_in_stock(name: str = "restock", skus: tuple[str, ...] = (), **kw: object) -> c.CreateCampaign:
    contents = {"en": {"text": "It's back!", "skus": list(skus)}, "zh": {"text": "到货了！", "skus": list(skus)}}
    return campaign(name, trigger="back_in_stock", contents=contents, **kw)


# --- back in stock ----------------------------------------------------------------------------------
async def test_back_in_stock_notifies_each_subscriber_once_when_stock_returns(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    subscribe_back_in_stock(shop)
    ann, bob, cat = await add_people(shop, [Person(telegram=1), Person(telegram=2), Person(telegram=3)], clock.now())
    restock_id = await approved(shop, back_in_stock(skus=(SKU,)))
    await sell_out(shop)
    first = await shop.bus.handle(c.SubscribeToStock(ann, SKU, "telegram", actor=Actor.shopper(ann)))
    again = await shop.bus.handle(c.SubscribeToStock(ann, SKU.lower(), "telegram", actor=Actor.shopper(ann)))
    await shop.bus.handle(c.SubscribeToStock(bob, SKU, "telegram", actor=Actor.shopper(bob)))
    assert (first.status, again.status, first.marketing_opt_in) == ("subscribed", "already", True)
    assert [(s.customer_id, s.status.value) for s in await subscriptions(shop)] == [(ann, "pending"), (bob, "pending")]

    before = (await outbox_names(shop)).count("BackInStock")  # the shop's first deliveries of stock
    await shop.bus.handle(c.ReceiveStock(SKU, "WEST", 4, actor=c.SYSTEM))  # 0 -> 4: BackInStock, in the same commit
    await shop.bus.handle(c.ReceiveStock(SKU, "EAST", 1, actor=c.SYSTEM))  # 4 -> 5: not "back", nothing new
    assert (await outbox_names(shop)).count("BackInStock") == before + 1
    await shop.outbox.drain()
    subs = await subscriptions(shop)
    assert [(s.status.value, s.campaign_id) for s in subs] == [("notified", restock_id)] * 2
    assert await deliveries(shop) == [
        (restock_id, subs[0].id, ann, "telegram"),
        (restock_id, subs[1].id, bob, "telegram"),
    ]

    # Replays: the same event again, the sweep of the automation job, a direct command: nothing more.
    assert await shop.bus.handle(c.NotifyBackInStock(SKU)) == 0
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 0
    send = Recorder()
    await dispatcher(shop, send).drain()
    assert sorted(m.address for m in send.sent) == ["1", "2"]
    assert {m.skus for m in send.sent} == {(SKU,)} and {m.campaign_id for m in send.sent} == {restock_id}
    assert cat not in {m.customer_id for m in send.sent}

    # Sold out again: Ann asks again (a new subscription, a new run); Bob didn't, so only Ann hears.
    await sell_out(shop)
    clock.advance(days=8)  # past the frequency cap window of the first notice
    assert (
        await shop.bus.handle(c.SubscribeToStock(ann, SKU, "telegram", actor=Actor.shopper(ann)))
    ).status == "subscribed"
    await shop.bus.handle(c.ReceiveStock(SKU, "WEST", 1, actor=c.SYSTEM))
    await shop.outbox.drain()
    await dispatcher(shop, send).drain()
    assert sorted(m.address for m in send.sent) == ["1", "1", "2"]
    runs = [run for _, run, customer, _ in await deliveries(shop) if customer == ann]
    assert len(set(runs)) == 2


async def test_back_in_stock_subscriptions_stay_pending_until_a_campaign_is_approved(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    subscribe_back_in_stock(shop)
    (ann,) = await add_people(shop, [Person(telegram=1)], clock.now())
    await sell_out(shop)
    await shop.bus.handle(c.SubscribeToStock(ann, SKU, "telegram", actor=Actor.shopper(ann)))
    restock_id = await shop.bus.handle(back_in_stock())  # a draft is not an approved automation
    await shop.bus.handle(c.ReceiveStock(SKU, "WEST", 3, actor=c.SYSTEM))
    await shop.outbox.drain()
    assert [s.status.value for s in await subscriptions(shop)] == ["pending"]
    assert await deliveries(shop) == []
    await shop.bus.handle(c.SubmitCampaign("restock", actor=MARKETER))
    await shop.bus.handle(c.ApproveCampaign("restock", actor=APPROVER))
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 1  # the job's sweep: it is in stock now
    assert [s.status.value for s in await subscriptions(shop)] == ["notified"]
    assert [(cid, customer) for cid, _, customer, _ in await deliveries(shop)] == [(restock_id, ann)]
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 0
    send = Recorder()
    await dispatcher(shop, send).drain()
    assert [m.skus for m in send.sent] == [(SKU,)]  # a general notice still shows the product asked about


async def test_back_in_stock_asks_for_marketing_consent_and_skips_who_cannot_be_reached(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    ann, bob = await add_people(shop, [Person(telegram=1), Person(telegram=2, opted_in=False)], clock.now())
    await approved(shop, back_in_stock())
    await sell_out(shop)
    await shop.bus.handle(c.SubscribeToStock(ann, SKU, "telegram", actor=Actor.shopper(ann)))
    answer = await shop.bus.handle(c.SubscribeToStock(bob, SKU, "telegram", actor=Actor.shopper(bob)))
    assert (answer.status, answer.marketing_opt_in) == ("subscribed", False)
    with pytest.raises(PermissionDenied):
        await shop.bus.handle(c.SubscribeToStock(ann, SKU, "telegram", actor=Actor.shopper(bob)))
    await shop.bus.handle(c.ReceiveStock(SKU, "WEST", 1, actor=c.SYSTEM))
    assert await shop.bus.handle(c.NotifyBackInStock(SKU)) == 1
    assert [s.status.value for s in await subscriptions(shop)] == ["notified", "skipped"]
    assert [customer for _, _, customer, _ in await deliveries(shop)] == [ann]
    in_stock = await shop.bus.handle(c.SubscribeToStock(bob, SKU, "telegram", actor=Actor.shopper(bob)))
    assert in_stock.status == "in_stock"  # nothing to wait for


async def test_a_back_in_stock_campaign_for_the_product_wins_over_a_general_one(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    ann, bob = await add_people(shop, [Person(telegram=1, webchat="w-ann"), Person(telegram=2)], clock.now())
    general = await approved(shop, back_in_stock("restock-any", channels=("telegram",)))
    shoes = await approved(shop, back_in_stock("restock-shoes", skus=(SKU,), channels=("telegram", "webchat")))
    await approved(shop, back_in_stock("restock-other", skus=("SHOE-RED-42",)))  # about another product only
    await sell_out(shop)
    await sell_out(shop, "MUG-WHT")
    await shop.bus.handle(c.SubscribeToStock(ann, SKU, "webchat", actor=Actor.shopper(ann)))
    await shop.bus.handle(c.SubscribeToStock(bob, "MUG-WHT", "telegram", actor=Actor.shopper(bob)))
    await shop.bus.handle(c.ReceiveStock(SKU, "WEST", 1, actor=c.SYSTEM))
    await shop.bus.handle(c.ReceiveStock("MUG-WHT", "EAST", 1, actor=c.SYSTEM))
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 2
    found = {(cid, customer, channel) for cid, _, customer, channel in await deliveries(shop)}
    assert found == {(shoes, ann, "webchat"), (general, bob, "telegram")}  # Ann asked on the web chat
    # Featuring a product that runs out is the point of a back-in-stock notice: it does not pause itself.
    await sell_out(shop)
    assert await pause_if_out_of_stock(shoes, shop.bus.ctx) is None


async def test_stock_coming_back_from_a_released_order_or_a_return_is_announced(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    buyer = await small.customer()
    before = (await outbox_names(shop)).count("BackInStock")
    order_id = await small.checkout(buyer, SKU, 2)  # holds the last two
    assert (await outbox_names(shop)).count("BackInStock") == before
    clock.advance(minutes=16)
    assert await shop.bus.handle(c.ExpireReservations()) == 1
    assert (await outbox_names(shop)).count("BackInStock") == before + 1
    order = await shop.views.order(order_id)
    assert order is not None and order.status == "cancelled"


# --- win-back ---------------------------------------------------------------------------------------
async def test_win_back_messages_customers_lapsed_n_days_once_per_lapse(small: SmallShop, clock: FakeClock) -> None:
    shop = small.shop
    ann, bob, cat, dan = await add_people(
        shop, [Person(telegram=1), Person(telegram=2), Person(telegram=3), Person(telegram=4)], clock.now()
    )
    await paid_order(small, ann, "MUG-WHT")
    await paid_order(small, bob, "MUG-WHT")
    clock.advance(days=30)
    await paid_order(small, dan, "MUG-WHT")
    clock.advance(days=31)  # Ann and Bob: 61 days since their last order; Dan 31; Cat never ordered
    win_back = await approved(shop, campaign("come-back", trigger="win_back", trigger_hours=60 * 24))
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 2
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 0  # the same lapse: no second message
    send = Recorder()
    await dispatcher(shop, send).drain()
    assert sorted(m.address for m in send.sent) == ["1", "2"]

    ann_again = await paid_order(small, ann, "MUG-WHT")
    clock.advance(days=59)
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 1  # Dan (90 days); Ann ordered 59 days ago
    clock.advance(days=1)
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 1  # Ann lapsed again: a new occasion
    await dispatcher(shop, send).drain()
    assert sorted(m.address for m in send.sent) == ["1", "1", "2", "4"]
    rows = [(run, customer) for cid, run, customer, _ in await deliveries(shop) if cid == win_back]
    assert (ann_again, ann) in rows and cat not in {customer for _, customer in rows}
    async with shop.sessions() as session:
        found = await SqlCampaignRepository(session).get(win_back)
    assert found is not None and found.status == CampaignStatus.SENDING


async def test_win_back_respects_the_campaign_segment_and_consent(small: SmallShop, clock: FakeClock) -> None:
    shop = small.shop
    us, ca, quiet = await add_people(
        shop, [Person(telegram=1), Person(telegram=2, country="CA"), Person(telegram=3, opted_in=False)], clock.now()
    )
    for customer in (us, ca, quiet):
        await paid_order(small, customer, "MUG-WHT")
    clock.advance(days=100)
    segment = {"all": [{"field": "country", "op": "in", "value": ["CA"]}]}
    await approved(shop, campaign("come-back-ca", trigger="win_back", trigger_hours=90 * 24, segment=segment))
    assert await shop.bus.handle(c.RunCampaignAutomations()) == 1
    assert [customer for _, _, customer, _ in await deliveries(shop)] == [ca]


# --- campaign.yml and the CLI -----------------------------------------------------------------------
def test_campaign_yml_names_the_triggers_like_the_abandoned_cart() -> None:
    base = {"name": "x", "channels": ["telegram"], "content": {"en": {"text": "hi"}}}
    actor = Actor.system("cli:test")
    assert command_from_yaml(base | {"trigger": {"win_back": 60}}, actor).trigger_hours == 60 * 24
    back = command_from_yaml(base | {"trigger": {"back_in_stock": True}}, actor)
    assert (back.trigger, back.trigger_hours) == ("back_in_stock", 0)
    assert command_from_yaml(base | {"trigger": "back_in_stock"}, actor).trigger == "back_in_stock"
    cart = command_from_yaml(base | {"trigger": {"abandoned_cart": 4}}, actor)
    assert (cart.trigger, cart.trigger_hours) == ("abandoned_cart", 4)
    for wrong in ({"win_back": "soon"}, {"back_in_stock": 3}, {"birthday": 1}, {"win_back": 1, "abandoned_cart": 2}):
        with pytest.raises(ValidationFailed):
            command_from_yaml(base | {"trigger": wrong}, actor)


async def test_win_back_needs_whole_days(small: SmallShop) -> None:
    with pytest.raises(ValidationFailed):
        await small.shop.bus.handle(campaign("odd", trigger="win_back", trigger_hours=30))


WIN_BACK_YML = """
name: we-miss-you
channels: [telegram]
content:
  en: {text: "We miss you: 10% off your next order", coupon: WELCOME10}
trigger: {win_back: 60}
"""


@pytest.mark.timeout(120)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_campaign_show_tells_the_automation_trigger(shop: Shop, database_url: str, tmp_path: Path) -> None:
    await add_staff(shop)
    await add_people(shop, [Person(telegram=1)], datetime.now(UTC))
    await shop.bus.handle(c.CreateCoupon("WELCOME10", "percent", 1000, actor=c.SYSTEM))
    spec = tmp_path / "campaign.yml"
    spec.write_text(WIN_BACK_YML)
    created = cli(database_url, "create", "--file", str(spec), "--by", "mia")
    assert created.returncode == 0, created.stderr
    shown = json.loads(cli(database_url, "show", "we-miss-you", "--json").stdout)
    assert (shown["trigger"], shown["status"]) == ("win_back: 60 days", "draft")
