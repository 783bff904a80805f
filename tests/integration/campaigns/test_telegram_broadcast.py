"""2,000 recipients through the real Telegram transport against a fake Bot API that enforces the limits."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from chatshop.bootstrap import Shop
from domain import commands as c
from tests.integration.campaigns.helpers import Person, add_people, approved, campaign, store
from tests.integration.campaigns.telegram_rig import telegram_dispatcher
from tests.support.clock import FakeClock
from tests.support.fake_telegram import FakeTelegram, Limits
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(120)
RATE = 200  # Telegram allows ~30/s; scaled up so 2,000 messages take seconds, the limit enforced the same way


async def tick(clock: FakeClock) -> None:
    """Move the shop's clock along with real time while sending."""
    while True:
        await asyncio.sleep(0.05)
        clock.advance(seconds=0.05)


def population(n: int) -> list[Person]:
    people = []
    for i in range(n):
        people.append(
            Person(
                telegram=100_000 + i,
                opted_in=i % 10 != 3,  # 10% never opted in
                timezone="Asia/Tokyo" if i % 20 == 7 else "UTC",  # 5% are in their quiet hours
                locale="zh" if i % 4 == 0 else "en",
            )
        )
    return people


async def test_two_thousand_messages_go_out_once_each_within_the_limits_respecting_consent_and_quiet_hours(
    small: SmallShop, clock: FakeClock
) -> None:
    shop: Shop = small.shop
    clock.current = clock.current.replace(hour=13)  # 22:00 in Tokyo
    people = population(2000)
    ids = await add_people(shop, people, clock.now())
    blocked = {100_000 + i for i in range(5, 2000, 50)}  # 40 chats blocked the bot
    campaign_id = await approved(shop, campaign())
    async with FakeTelegram(
        limits=Limits(per_second=RATE, per_chat_per_second=1, retry_after=1), blocked=blocked
    ) as fake:
        dispatcher = telegram_dispatcher(shop, fake, RATE)
        # Opting out after the run was queued still counts: checked right before each send.
        await shop.bus.handle(c.StartCampaignRun(campaign_id))
        late_opt_out = ids[1]
        await shop.bus.handle(c.SetMarketingConsent(late_opt_out, False, "chat", actor=c.SYSTEM))
        started = time.monotonic()
        ticking = asyncio.create_task(tick(clock))  # a 429 queues a message for retry_after seconds later
        left = await dispatcher.drain()
        ticking.cancel()
        elapsed = time.monotonic() - started
        delivered = [call.chat_id for call in fake.sent("sendMessage")]
        rejected = Counter(call.params.get("_rejected") for call in fake.calls if call.params.get("_rejected"))

    counts = await store(shop).counts(campaign_id)
    opted_in = {100_000 + i for i, p in enumerate(people) if p.opted_in} - {100_000 + 1}
    quiet = {100_000 + i for i, p in enumerate(people) if p.timezone == "Asia/Tokyo"}
    expected = opted_in - quiet - blocked
    assert len(delivered) == len(set(delivered)), "a chat got the campaign twice"
    assert set(delivered) == expected, "a reachable customer was lost"
    assert counts["sent"] == len(expected)
    assert counts["blocked"] == len(blocked & opted_in - quiet)
    assert counts["queued"] == left == len(quiet & opted_in)  # waiting for 09:00 in Tokyo
    assert counts["skipped_optout"] == 1  # the late opt-out; the others were never queued
    assert rejected[429] <= 10  # a handful: arrival jitter on a loaded machine; each one is retried
    # Paced at the limit: 2,000 messages at 200/s take about 9 s, never much less.
    assert len(delivered) / elapsed <= RATE * 1.05
    zh = next(call for call in fake.sent("sendMessage") if call.chat_id == 100_000 + 4)
    assert zh.text == "春季促销" and zh.buttons()[-1]["text"] == "退订"


async def test_featured_products_are_buttons_with_their_name_and_price(small: SmallShop, clock: FakeClock) -> None:
    shop = small.shop
    await add_people(shop, [Person(telegram=7)], clock.now())
    contents = {"en": {"text": "New in", "skus": ["SHOE-RED-42", "MUG-WHT"]}}
    campaign_id = await approved(shop, campaign(contents=contents, quiet_hours=("00:00", "00:00")))
    await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True))
    async with FakeTelegram() as fake:
        dispatcher = telegram_dispatcher(shop, fake, rate=30)
        await dispatcher.drain()
        await dispatcher.aclose()
    [call] = fake.sent("sendMessage", 7)
    assert [b["text"] for b in call.buttons()] == [
        "Stride Running Shoes (red / 42) · 80.00 USD",
        "Hearth Ceramic Mug · 12.00 USD",
        "Unsubscribe",
    ]
