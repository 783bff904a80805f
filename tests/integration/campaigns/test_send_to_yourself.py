"""A test send to yourself first: the campaign as a recipient sees it, marked as a test, on one channel,
to the marketer's own address, with nothing counted in the campaign's report."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chatshop.bootstrap import Shop
from chatshop.cli_campaign import subscribe_campaign_tests
from domain import commands as c
from domain.adapters import orm
from domain.errors import PermissionDenied, ValidationFailed
from tests.integration.campaigns.helpers import MARKETER, VIEWER, campaign, store
from tests.integration.campaigns.test_lifecycle import Recorder, dispatcher
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(30)

CONTENTS = {
    "en": {"text": "Blue shoes are in", "skus": ["SHOE-BLU-42"], "coupon": "WELCOME10"},
    "zh": {"text": "蓝色跑鞋到货"},
}


async def outbox(shop: Shop, name: str) -> list[dict[str, object]]:
    async with shop.sessions() as session:
        rows = (await session.execute(select(orm.outbox.c.payload).where(orm.outbox.c.name == name))).all()
    return [row.payload for row in rows]


async def test_a_marketer_sends_a_draft_to_their_own_telegram_marked_as_a_test_and_uncounted(
    small: SmallShop,
) -> None:
    shop = small.shop
    campaign_id = await shop.bus.handle(campaign(contents=CONTENTS, channels=("telegram", "webchat")))
    send = Recorder()
    subscribe_campaign_tests(shop, dispatcher(shop, send))

    assert await shop.bus.handle(c.SendCampaignTest("spring", "telegram", " 4242 ", None, actor=MARKETER)) == "en"
    assert await shop.bus.handle(c.SendCampaignTest("spring", "telegram", "4242", "zh", actor=MARKETER)) == "zh"
    await shop.outbox.drain()
    await shop.outbox.drain()  # a second pass sends nothing again

    assert [(m.address, m.text, m.skus, m.coupon) for m in send.sent] == [
        ("4242", "[Test] Blue shoes are in", ("SHOE-BLU-42",), "WELCOME10"),
        ("4242", "[测试] 蓝色跑鞋到货", (), None),
    ]
    assert {m.campaign_id for m in send.sent} == {campaign_id}
    counts = await store(shop).counts(campaign_id)
    assert sum(counts.values()) == 0  # no delivery rows: the report is untouched


async def test_a_web_chat_test_goes_to_the_outbox_as_the_chat_would_show_it(small: SmallShop) -> None:
    shop = small.shop
    campaign_id = await shop.bus.handle(campaign(contents=CONTENTS, channels=("webchat",)))
    await shop.bus.handle(c.SendCampaignTest("spring", "webchat", "w-mia", "en", actor=MARKETER))
    (message,) = await outbox(shop, "MarketingMessage")
    assert (message["campaign_id"], message["chat_id"], message["delivery_id"]) == (campaign_id, "w-mia", 0)
    assert message["text"] == "[Test] Blue shoes are in"


@pytest.mark.parametrize(
    ("channel", "address", "error"),
    [
        ("email", "me@example.com", "not one of this campaign's channels"),
        ("telegram", "@mia", "a Telegram chat id is a number"),
        ("telegram", "", "a Telegram chat id is a number"),
    ],
)
async def test_a_test_to_a_channel_the_campaign_does_not_use_or_a_bad_address_is_refused(
    small: SmallShop, channel: str, address: str, error: str
) -> None:
    shop = small.shop
    await shop.bus.handle(campaign(channels=("telegram",)))
    with pytest.raises(ValidationFailed, match=error):
        await shop.bus.handle(c.SendCampaignTest("spring", channel, address, None, actor=MARKETER))
    assert await outbox(shop, "CampaignTestRequested") == []


async def test_viewers_cannot_send_tests(small: SmallShop) -> None:
    shop = small.shop
    await shop.bus.handle(campaign())
    with pytest.raises(PermissionDenied):
        await shop.bus.handle(c.SendCampaignTest("spring", "telegram", "4242", None, actor=VIEWER))
