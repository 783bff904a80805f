"""The frequency cap between workers on PostgreSQL: two claimers taking rows of two different campaigns
for the same customers at the same moment must not both send (``SKIP LOCKED`` keeps them off each
other's delivery rows, not off each other's customers). SQLite serialises claimers; nothing to race."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.adapters.campaigns_delivery import SqlDeliveryStore
from tests.integration.campaigns.helpers import Person, add_people, approved, campaign
from tests.support.clock import FakeClock

pytestmark = pytest.mark.timeout(120)
ROUNDS, PEOPLE = 4, 60


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
async def test_frequency_cap_holds_when_two_workers_send_two_campaigns_to_the_same_customers(
    shop: Shop, database_url: str, clock: FakeClock
) -> None:
    # A second engine: the other worker has connections (and a pool) of its own, as another process would.
    other = build_shop(Settings(database_url=database_url, _env_file=None), clock=clock)  # type: ignore[call-arg]
    first = SqlDeliveryStore(shop.sessions, clock, "worker-1")
    second = SqlDeliveryStore(other.sessions, clock, "worker-2")
    claimed: Counter[int] = Counter()  # customer -> rows claimed (to send) across both campaigns
    skipped = 0
    try:
        for round_ in range(ROUNDS):
            tag = f"round{round_}"
            await add_people(shop, [Person(telegram=700_000 + round_ * 1000 + i, tags=(tag,)) for i in range(PEOPLE)],
                             clock.now())  # fmt: skip
            segment = {"all": [{"field": "tag", "op": "any", "value": [tag]}]}
            ids = []
            for name in (f"a{round_}", f"b{round_}"):
                command = campaign(name, segment=segment, cap_messages=1, quiet_hours=("00:00", "00:00"))
                ids.append(await approved(shop, command))
            for campaign_id in ids:
                assert await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True)) == PEOPLE
            # Each claims one campaign's worth of rows: whichever locks the first campaign's rows first,
            # SKIP LOCKED hands the other the second campaign's rows, for the same sixty customers.
            (mine, _), (theirs, _) = await asyncio.gather(first.claim(PEOPLE), second.claim(PEOPLE))
            assert {d.campaign_id for d in mine} | {d.campaign_id for d in theirs} <= set(ids)
            claimed.update(d.customer_id for d in [*mine, *theirs])
            counts = Counter[str]()
            for campaign_id in ids:
                counts.update(await first.counts(campaign_id))
            assert counts["sending"] == len(mine) + len(theirs)
            skipped += counts["skipped_cap"]
    finally:
        await other.close()

    over_cap = sorted(customer for customer, n in claimed.items() if n > 1)
    assert over_cap == [], f"{len(over_cap)} customers were claimed twice within a cap of one"
    assert len(claimed) == ROUNDS * PEOPLE  # everyone gets exactly one of the two
    assert skipped == ROUNDS * PEOPLE  # and the other one is booked as skipped by the cap
