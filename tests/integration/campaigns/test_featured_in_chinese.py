"""A broadcast's featured products are named in each recipient's language: Chinese names and option
values for a Chinese shopper, the English ones for an English shopper, in the same run."""

from __future__ import annotations

import pytest

from domain import commands as c
from tests.integration.campaigns.helpers import Person, add_people, approved, campaign
from tests.integration.campaigns.telegram_rig import telegram_dispatcher
from tests.integration.test_catalog_translations import translate_small_shop
from tests.support.clock import FakeClock
from tests.support.fake_telegram import FakeTelegram
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(120)


async def test_featured_products_are_named_in_each_recipients_language(small: SmallShop, clock: FakeClock) -> None:
    shop = small.shop
    await translate_small_shop(small)
    await add_people(shop, [Person(telegram=7, locale="en"), Person(telegram=8, locale="zh")], clock.now())
    skus = ["SHOE-RED-42", "MUG-WHT"]
    contents = {"en": {"text": "New in", "skus": skus}, "zh": {"text": "新品上架", "skus": skus}}
    campaign_id = await approved(shop, campaign(contents=contents, quiet_hours=("00:00", "00:00")))
    await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True))
    async with FakeTelegram() as fake:
        dispatcher = telegram_dispatcher(shop, fake, rate=30)
        await dispatcher.drain()
        await dispatcher.aclose()
    [english] = fake.sent("sendMessage", 7)
    [chinese] = fake.sent("sendMessage", 8)
    assert [b["text"] for b in english.buttons()][:2] == [
        "Stride Running Shoes (red / 42) · 80.00 USD",
        "Hearth Ceramic Mug · 12.00 USD",
    ]
    assert [b["text"] for b in chinese.buttons()][:2] == [
        "Stride 女款轻量跑鞋 (红色 / 42) · 80.00 USD",
        "Hearth 陶瓷马克杯 · 12.00 USD",
    ]
