"""``chatshop coupon`` as a marketer uses it, and a campaign.yml with personal single-use codes."""

from __future__ import annotations

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

pytestmark = [pytest.mark.timeout(180), pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
ROOT = Path(__file__).resolve().parents[3]

SINGLE_USE_YML = """
name: thank-you
channels: [webchat]
single_use_coupons: true
content:
  en: {text: "Thank you: 12.5% off your next order", coupon: THANKS}
segment: {field: consent, op: is, value: true}
quiet_hours: "00:00-00:00"
"""


def active(row: str) -> str:
    """The last column of a row of the coupon table."""
    return [cell.strip() for cell in row.split("│") if cell.strip()][-1]


def chatshop(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"CHATSHOP_DATABASE_URL": db, "COLUMNS": "200"}
    env.pop("CHATSHOP_REDIS_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "chatshop.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


async def test_a_marketer_creates_lists_and_disables_coupons_from_the_terminal(shop: Shop, database_url: str) -> None:
    await SmallShop(shop).build()
    made = chatshop(database_url, "coupon", "create", "thanks", "--percent", "12.5", "--min-subtotal", "20.00")
    assert made.returncode == 0 and "coupon THANKS ready" in made.stdout, made.stderr
    fixed = chatshop(database_url, "coupon", "create", "MUGS5", "--amount", "5.00", "--category", "home-mugs")
    assert fixed.returncode == 0, fixed.stderr
    both = chatshop(database_url, "coupon", "create", "X", "--percent", "10", "--amount", "1")
    assert both.returncode == 2 and "exactly one of" in both.stderr
    float_like = chatshop(database_url, "coupon", "create", "Y", "--percent", "10.001")
    assert float_like.returncode == 2 and "steps of 0.01" in float_like.stderr
    unknown = chatshop(database_url, "coupon", "create", "Z", "--amount", "1", "--category", "nope")
    assert unknown.returncode == 1 and "No category nope" in unknown.stderr
    async with shop.sessions() as session:
        rows = dict((await session.execute(select(orm.coupons.c.code, orm.coupons.c.value))).all())
    assert rows["THANKS"] == 1250 and rows["MUGS5"] == 500  # basis points and cents, exactly

    listed = chatshop(database_url, "coupon", "list")
    assert listed.returncode == 0, listed.stderr
    line = next(x for x in listed.stdout.splitlines() if "THANKS" in x)
    assert "12.5% off" in line and "20.00 USD" in line and active(line) == "yes"
    assert chatshop(database_url, "coupon", "disable", "thanks").returncode == 0
    line = next(x for x in chatshop(database_url, "coupon", "list").stdout.splitlines() if "THANKS" in x)
    assert active(line) == "no"
    assert chatshop(database_url, "coupon", "disable", "nope").returncode == 1
    assert chatshop(database_url, "coupon", "enable", "thanks").returncode == 0
    line = next(x for x in chatshop(database_url, "coupon", "list").stdout.splitlines() if "THANKS" in x)
    assert active(line) == "yes" and "12.5% off" in line  # enabled again with its terms unchanged


async def test_a_single_use_campaign_from_yaml_issues_personal_codes_counted_under_the_template(
    shop: Shop, database_url: str, tmp_path: Path
) -> None:
    await add_staff(shop)
    await SmallShop(shop).build()
    await add_people(shop, [Person(webchat="wa"), Person(webchat="wb")], datetime.now(UTC))
    assert chatshop(database_url, "coupon", "create", "THANKS", "--percent", "12.5").returncode == 0
    spec = tmp_path / "campaign.yml"
    spec.write_text(SINGLE_USE_YML)
    for step in (["create", "--file", str(spec), "--by", "mia"], ["submit", "thank-you", "--by", "mia"]):
        done = chatshop(database_url, "campaign", *step)
        assert done.returncode == 0, done.stderr
    await_approval = chatshop(database_url, "campaign", "approve", "thank-you", "--by", "abe")
    assert await_approval.returncode == 0, await_approval.stderr
    sent = chatshop(database_url, "campaign", "send", "thank-you", "--foreground")
    assert sent.returncode == 0, sent.stderr
    async with shop.sessions() as session:
        query = select(orm.outbox.c.payload).where(orm.outbox.c.name == "MarketingMessage")
        codes = sorted(p["coupon"] for p in (await session.execute(query)).scalars())
    assert len(codes) == 2 and len(set(codes)) == 2 and all(x.startswith("THANKS-") for x in codes)
    line = next(x for x in chatshop(database_url, "coupon", "list").stdout.splitlines() if "THANKS" in x)
    assert "0 / 2" in line  # personal codes used / issued
    bad = tmp_path / "bad.yml"
    bad.write_text(SINGLE_USE_YML.replace("single_use_coupons: true", "single_use_coupons: maybe"))
    refused = chatshop(database_url, "campaign", "create", "--file", str(bad), "--by", "mia", "--replace")
    assert refused.returncode == 1 and "single_use_coupons is true or false" in refused.stderr
