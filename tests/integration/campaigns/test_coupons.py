"""Campaign coupons: a shared code, or a personal single-use code per recipient made from a template coupon."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bots.campaigns.dispatcher import Dispatcher, Limits
from bots.campaigns.links import LinkSigner
from bots.campaigns.ratelimit import LocalRateLimiter
from bots.campaigns.webchat import OutboxChatTransport
from domain import commands as c
from domain.adapters import orm
from domain.adapters.orm_campaigns import campaign_deliveries
from domain.errors import CouponNotApplicable, ValidationFailed
from domain.model.staff import Actor
from tests.integration.campaigns.helpers import MARKETER, Person, add_people, approved, campaign
from tests.integration.campaigns.test_lifecycle import Recorder, dispatcher
from tests.support.clock import FakeClock
from tests.support.shopdata import ADDRESS, SmallShop

pytestmark = pytest.mark.timeout(30)
SINGLE_USE = {
    "en": {"text": "10% off, just for you", "coupon": "welcome10"},
    "zh": {"text": "专属九折", "coupon": "WELCOME10"},
}


async def coupon_rows(small: SmallShop) -> int:
    async with small.shop.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(orm.coupons))).scalar_one())


async def test_each_recipient_gets_a_personal_single_use_code_with_the_template_terms_that_only_they_can_use(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    ann, bob, cat = await add_people(
        shop, [Person(telegram=1), Person(telegram=2), Person(telegram=3, locale="zh")], clock.now()
    )
    before = await coupon_rows(small)
    campaign_id = await approved(shop, campaign(contents=SINGLE_USE, single_use_coupons=True))
    assert await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True)) == 3
    assert await coupon_rows(small) == before + 3  # issued with the deliveries, in the same transaction
    send = Recorder()
    await dispatcher(shop, send).drain()
    codes = {m.address: m.coupon for m in send.sent}
    assert set(codes) == {"1", "2", "3"}
    assert len(set(codes.values())) == 3
    for code in codes.values():
        assert code is not None and code.startswith("WELCOME10-") and len(code) == len("WELCOME10-") + 8
    assert "WELCOME10" not in codes.values()  # the template itself is never sent
    assert await coupon_rows(small) == before + 3  # sending issued nothing more

    # Bob cannot use Ann's code; Ann can, once, with the template's 10 % off.
    await shop.bus.handle(c.AddToCart(bob, "SHOE-RED-42", 1, actor=Actor.shopper(bob)))
    with pytest.raises(CouponNotApplicable, match="issued to someone else"):
        await shop.bus.handle(c.ApplyCoupon(bob, codes["1"], actor=Actor.shopper(bob)))
    await shop.bus.handle(c.AddToCart(ann, "SHOE-RED-42", 1, actor=Actor.shopper(ann)))
    await shop.bus.handle(c.ApplyCoupon(ann, codes["1"], actor=Actor.shopper(ann)))
    order_id = int(await shop.bus.handle(c.PlaceOrder(ann, ADDRESS, "standard", "telegram", actor=Actor.shopper(ann))))
    order = await shop.views.order(order_id)
    assert order is not None and order.discount == order.subtotal // 10
    await shop.bus.handle(c.AddToCart(ann, "MUG-WHT", 1, actor=Actor.shopper(ann)))
    with pytest.raises(CouponNotApplicable):
        await shop.bus.handle(c.ApplyCoupon(ann, codes["1"], actor=Actor.shopper(ann)))
    _ = cat


async def test_a_web_chat_recipient_sees_their_own_code_in_the_message(small: SmallShop, clock: FakeClock) -> None:
    shop = small.shop
    await add_people(shop, [Person(webchat="w-ann")], clock.now())
    campaign_id = await approved(shop, campaign(contents=SINGLE_USE, channels=("webchat",), single_use_coupons=True))
    await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True))
    d = Dispatcher(
        dispatcher(shop, Recorder()).store,
        shop.bus,
        {"webchat": OutboxChatTransport(shop.bus, "w1")},
        LocalRateLimiter(),
        LinkSigner("secret", "http://shop.test"),
        Limits(max_in_flight=10),
    )
    await d.drain()
    async with shop.sessions() as session:
        issued = (await session.execute(select(campaign_deliveries.c.coupon_code))).scalar_one()
        payloads = (
            (await session.execute(select(orm.outbox.c.payload).where(orm.outbox.c.name == "MarketingMessage")))
            .scalars()
            .all()
        )
    assert [p["coupon"] for p in payloads] == [issued]
    assert issued.startswith("WELCOME10-")


async def test_a_shared_code_goes_to_everyone_as_it_is(small: SmallShop, clock: FakeClock) -> None:
    shop = small.shop
    await add_people(shop, [Person(telegram=1), Person(telegram=2)], clock.now())
    before = await coupon_rows(small)
    campaign_id = await approved(shop, campaign(contents={"en": {"text": "Mugs", "coupon": "fiveoff"}}))
    await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True))
    send = Recorder()
    await dispatcher(shop, send).drain()
    assert [m.coupon for m in send.sent] == ["FIVEOFF", "FIVEOFF"]
    assert await coupon_rows(small) == before


@pytest.mark.parametrize(
    ("contents", "single_use", "reason"),
    [
        ({"en": {"text": "x", "coupon": "NOPE10"}}, False, "No coupon has the code NOPE10"),
        ({"en": {"text": "x", "coupon": "NOPE10"}}, True, "No coupon has the code NOPE10"),
        ({"en": {"text": "x"}}, True, "one template coupon"),
        ({"en": {"text": "x", "coupon": "WELCOME10"}, "zh": {"text": "y", "coupon": "FIVEOFF"}}, True, "one template"),
    ],
)
async def test_a_campaign_coupon_must_exist_and_single_use_needs_one_template(
    small: SmallShop, contents: dict[str, dict[str, object]], single_use: bool, reason: str
) -> None:
    with pytest.raises(ValidationFailed, match=reason):
        await small.shop.bus.handle(campaign(contents=contents, single_use_coupons=single_use))


async def test_a_code_issued_to_one_customer_cannot_be_a_campaigns_template(small: SmallShop, clock: FakeClock) -> None:
    shop = small.shop
    await add_people(shop, [Person(telegram=1)], clock.now())
    campaign_id = await approved(shop, campaign(contents=SINGLE_USE, single_use_coupons=True))
    await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True))
    async with shop.sessions() as session:
        personal = (await session.execute(select(campaign_deliveries.c.coupon_code))).scalar_one()
    with pytest.raises(ValidationFailed, match="issued to one customer"):
        await shop.bus.handle(campaign("again", contents={"en": {"text": "x", "coupon": personal}}))


async def test_a_test_send_shows_the_shape_of_a_personal_code_not_a_working_one(small: SmallShop) -> None:
    shop = small.shop
    await shop.bus.handle(campaign(contents=SINGLE_USE, channels=("webchat",), single_use_coupons=True))
    await shop.bus.handle(c.SendCampaignTest("spring", "webchat", "w-mia", actor=MARKETER))
    async with shop.sessions() as session:
        payload = (
            await session.execute(select(orm.outbox.c.payload).where(orm.outbox.c.name == "MarketingMessage"))
        ).scalar_one()
    assert payload["coupon"] == "WELCOME10-XXXXXXXX"
