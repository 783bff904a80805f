"""A worker process killed (SIGKILL) while its requests are in flight: after its lease another worker sends
them again under the same webhook-id, so every delivery arrives and duplicates can be told apart."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from chatshop.bootstrap import Shop
from domain.adapters.webhooks_delivery import WebhookFanout
from domain.adapters.webhooks_views import SqlWebhookViews
from domain.events import OrderPlaced
from tests.integration.webhooks.helpers import subscribe, worker
from tests.integration.webhooks.receiver import running_receiver
from tests.support.clock import FakeClock

pytestmark = pytest.mark.timeout(90)
ROOT = Path(__file__).resolve().parents[3]
EVENTS = 6
HUNG = 3


async def test_a_worker_killed_mid_delivery_loses_nothing_and_resends_under_the_same_webhook_id(
    shop: Shop, database_url: str, clock: FakeClock
) -> None:
    async with running_receiver(hang_first=HUNG, hang_seconds=60) as receiver:
        _, secret = await subscribe(shop, receiver.url)
        receiver.secrets.append(secret)
        fanout = WebhookFanout(shop.sessions, shop.views, shop.clock)
        for n in range(EVENTS):
            await fanout(f"event-{n}", OrderPlaced(n + 1, 1, "webchat", 1000 + n, "USD"))

        views = SqlWebhookViews(shop.sessions)
        env = os.environ | {"PYTHONPATH": str(ROOT)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.integration.webhooks.worker_process", database_url,
            cwd=ROOT, env=env, stdout=subprocess.PIPE,
        )  # fmt: skip
        try:
            assert proc.stdout is not None
            assert (await asyncio.wait_for(proc.stdout.readline(), 30)).strip() == b"ready"
            # Wait until all are sent, the quick ones booked, and HUNG of them still wait for an answer.
            for _ in range(600):
                done = [d for d in await views.deliveries() if d.status == "succeeded"]
                if len(receiver.received) == EVENTS and len(done) == EVENTS - HUNG:
                    break
                await asyncio.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            await proc.wait()

        assert sorted(d.status for d in await views.deliveries()) == ["pending"] * HUNG + ["succeeded"] * (
            EVENTS - HUNG
        )
        clock.advance(seconds=10)  # the dead process's lease has run out
        again = worker(shop)
        assert await again.drain() == HUNG
        await again.sender.aclose()

    assert [d.status for d in await views.deliveries()] == ["succeeded"] * EVENTS
    ids = [r.message_id for r in receiver.received]
    assert len(ids) == EVENTS + HUNG and len(set(ids)) == EVENTS
    assert all(r.verified_by == (secret,) for r in receiver.received)
    event_ids = {r.payload["id"] for r in receiver.received}
    assert event_ids == {f"event-{n}" for n in range(EVENTS)}
