"""``chatshop automation`` from a YAML file: add, list, a dry run that explains itself, disable."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from chatshop.bootstrap import build_shop
from chatshop.settings import Settings
from domain import commands as c
from domain.adapters.migrate import upgrade
from domain.model.staff import Role
from tests.integration.webhooks.test_cli import cli
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(180)

RULE = """
name: big-first-orders
when: OrderPlaced
if:
  - total_over: "50.00"
  - first_order: true
then:
  - tag_customer: big-spender
  - notify_slack: "Big first order {order_id} ({total})"
"""


async def seeded(db: str) -> int:
    shop = build_shop(Settings(database_url=db, _env_file=None))  # type: ignore[call-arg]
    small = await SmallShop(shop).build()
    order_id = await small.checkout(await small.customer())
    await shop.bus.handle(c.AddStaff("ada", Role.ADMIN, actor=c.SYSTEM))
    await shop.close()
    return order_id


def test_an_admin_adds_a_rule_from_yaml_and_its_dry_run_explains_itself(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    upgrade(db)
    order_id = asyncio.run(seeded(db))
    rule = tmp_path / "rule.yml"
    rule.write_text(RULE)

    added = cli(db, "automation", "add", str(rule), "--as", "ada")
    assert added.returncode == 0, added.stderr
    assert "automation big-first-orders saved" in added.stdout
    assert "big-first-orders" in cli(db, "automation", "list").stdout

    dry = cli(db, "automation", "test", "big-first-orders", "--last", "5", "--as", "ada")
    assert dry.returncode == 0, dry.stderr
    assert "WOULD ACT event" in dry.stdout and "yes: total 85.00 USD > 5000 (minor units)" in dry.stdout
    assert "yes: first paid order" in dry.stdout
    assert f"-> tell Slack: Big first order {order_id} (85.00 USD)" in dry.stdout
    assert "1 of 1 events would have triggered big-first-orders" in dry.stdout

    broken = tmp_path / "broken.yml"
    broken.write_text(RULE.replace("first_order", "moon_phase"))
    refused = cli(db, "automation", "add", str(broken), "--as", "ada")
    assert refused.returncode == 1 and "Unknown condition moon_phase" in refused.stderr
    assert (
        "automation big-first-orders disabled"
        in cli(db, "automation", "disable", "big-first-orders", "--as", "ada").stdout
    )
