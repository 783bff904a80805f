"""``chatshop campaign`` as a marketer uses it: create from YAML, submit, approve, send with a progress bar."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from chatshop.bootstrap import Shop
from domain.adapters import orm
from tests.integration.campaigns.helpers import Person, add_people, add_staff
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[3]

CAMPAIGN_YML = """
name: winter-mugs
channels: [webchat]
content:
  en:
    text: "Warm up: our winter mugs are here"
    skus: [MUG-WHT]
    coupon: WELCOME10
segment:
  all:
    - {field: country, op: in, value: [US]}
schedule: now
quiet_hours: "00:00-00:00"
frequency_cap: {messages: 2, days: 7}
"""


def cli(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"CHATSHOP_DATABASE_URL": db, "COLUMNS": "200"}
    env.pop("CHATSHOP_REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "chatshop.cli", "campaign", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_marketer_creates_submits_gets_approval_and_sends_from_the_terminal(
    shop: Shop, database_url: str, tmp_path: Path
) -> None:
    await add_staff(shop)
    await SmallShop(shop).build()  # the catalog the campaign features (MUG-WHT)
    await add_people(shop, [Person(webchat="wabc"), Person(webchat="wdef", country="DE")], datetime.now(UTC))
    spec = tmp_path / "campaign.yml"
    spec.write_text(CAMPAIGN_YML)
    created = cli(database_url, "create", "--file", str(spec), "--by", "mia")
    assert created.returncode == 0, created.stderr
    assert "1 reachable" in created.stdout
    assert cli(database_url, "test", "winter-mugs", "--to", "nowhere", "--by", "mia").returncode == 2
    tested = cli(database_url, "test", "winter-mugs", "--to", "webchat:w-mia", "--by", "mia")
    assert tested.returncode == 0, tested.stderr
    assert "queued for webchat:w-mia" in tested.stdout
    assert cli(database_url, "send", "winter-mugs").returncode == 1  # not approved yet
    assert cli(database_url, "submit", "winter-mugs", "--by", "mia").returncode == 0
    assert cli(database_url, "approve", "winter-mugs", "--by", "abe").returncode == 0
    sent = cli(database_url, "send", "winter-mugs", "--foreground")
    assert sent.returncode == 0, sent.stderr
    assert "sent 1" in sent.stdout
    listed = cli(database_url, "list")
    assert "winter-mugs" in listed.stdout and "100%" in listed.stdout
    shown = json.loads(cli(database_url, "show", "winter-mugs", "--json").stdout)
    assert (shown["sent"], shown["recipients"], shown["status"]) == (1, 1, "finished")
    async with shop.sessions() as session:
        query = select(orm.outbox.c.name, orm.outbox.c.payload).order_by(orm.outbox.c.id)
        events = (await session.execute(query)).all()
    test, message = (p for name, p in events if name == "MarketingMessage")
    assert (test["chat_id"], test["text"]) == ("w-mia", "[Test] Warm up: our winter mugs are here")
    assert message["chat_id"] == "wabc" and message["coupon"] == "WELCOME10" and message["skus"] == ["MUG-WHT"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_server_runtime_gets_the_automation_job_and_a_sender_that_runs_from_start_to_stop(
    shop: Shop,
) -> None:
    from chatshop.cli_campaign import register_campaign_jobs
    from chatshop.runtime import Runtime

    runtime = Runtime(shop)
    dispatcher = register_campaign_jobs(runtime)
    jobs = {job.id for job in runtime.scheduler.get_jobs()}
    assert "campaign-automations" in jobs
    assert not {"campaign-send", "campaign-schedules"} & jobs  # no minute-long gaps: the sender loops
    assert set(dispatcher.transports) == {"webchat"}  # Telegram and e-mail only when configured
    await runtime.start()
    await asyncio.sleep(0.2)
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "campaign-sender" and t.done()]
    await runtime.stop()
    assert [t for t in asyncio.all_tasks() if t.get_name() == "campaign-sender"] == []
