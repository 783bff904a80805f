"""A campaign through the real Telegram transport against the fake Bot API moves the campaign series: sends
by outcome, the send rate next to its limit, and Telegram's 429s."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from chatshop.bootstrap import Shop
from chatshop.metrics import PrometheusMetrics, sample
from domain import commands as c
from domain.observability import use_metrics
from tests.integration.campaigns.helpers import Person, add_people, approved, campaign
from tests.integration.campaigns.telegram_rig import telegram_dispatcher
from tests.integration.campaigns.test_telegram_broadcast import tick
from tests.support.clock import FakeClock
from tests.support.fake_telegram import FakeTelegram, Limits
from tests.support.shopdata import SmallShop

pytestmark = [pytest.mark.timeout(120), pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
RATE = 40


@pytest.fixture
def recorder() -> Iterator[PrometheusMetrics]:
    recorder = PrometheusMetrics(process_metrics=False)
    previous = use_metrics(recorder)
    yield recorder
    use_metrics(previous)


async def test_a_campaign_moves_sends_by_outcome_the_send_rate_and_the_429_count(
    small: SmallShop, clock: FakeClock, recorder: PrometheusMetrics
) -> None:
    shop: Shop = small.shop
    people = [Person(telegram=200_000 + i) for i in range(60)]
    await add_people(shop, people, clock.now())
    blocked = {200_000, 200_001}
    campaign_id = await approved(shop, campaign(quiet_hours=("00:00", "00:00")))
    await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True))
    # Telegram stricter than the sender's limit: some sends are answered 429 and retried.
    async with FakeTelegram(limits=Limits(per_second=RATE // 2, retry_after=1), blocked=blocked) as fake:
        dispatcher = telegram_dispatcher(shop, fake, RATE)
        ticking = asyncio.create_task(tick(clock))
        await dispatcher.drain()
        ticking.cancel()
        await dispatcher.aclose()
        refused = sum(1 for call in fake.calls if call.params.get("_rejected") == 429)
    text = recorder.exposition().decode()
    assert sample(text, "chatshop_campaign_sends_total", {"channel": "telegram", "outcome": "sent"}) == 58
    assert sample(text, "chatshop_campaign_sends_total", {"channel": "telegram", "outcome": "blocked"}) == 2
    assert refused >= 1
    assert sample(text, "chatshop_campaign_sends_total", {"channel": "telegram", "outcome": "retry"}) == refused
    assert sample(text, "chatshop_telegram_429_total", {"source": "campaign"}) == refused
    assert sample(text, "chatshop_campaign_rate_limit", {"channel": "telegram"}) == RATE
    rate = sample(text, "chatshop_campaign_send_rate", {"channel": "telegram"})
    assert rate is not None and 0 < rate <= RATE
