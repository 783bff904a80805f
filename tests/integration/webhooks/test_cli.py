"""``chatshop webhook`` as an admin uses it; an operator is refused by the domain, not by the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.adapters.migrate import upgrade

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[3]


def cli(db: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"CHATSHOP_DATABASE_URL": db, "COLUMNS": "250", "PYTHONPATH": str(ROOT)}
    env.pop("CHATSHOP_STAFF", None)
    return subprocess.run(
        [sys.executable, "-m", "chatshop.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_an_admin_subscribes_rotates_lists_and_disables_and_an_operator_may_not(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    upgrade(db)
    assert cli(db, "staff", "add", "ada", "--role", "admin").returncode == 0
    assert cli(db, "staff", "add", "olga", "--role", "operator").returncode == 0

    refused = cli(db, "webhook", "add", "https://erp.example.com/hook", "--as", "olga")
    assert refused.returncode == 1 and "An operator may not manage webhooks and integrations" in refused.stderr

    added = cli(
        db, "webhook", "add", "https://erp.example.com/hook", "--events", "OrderPaid,OrderShipped", "--as", "ada"
    )
    assert added.returncode == 0, added.stderr
    secret = added.stdout.split("(shown once): ")[1].strip()
    assert secret.startswith("whsec_")

    bad = cli(db, "webhook", "add", "https://erp.example.com/hook", "--events", "OrderTeleported", "--as", "ada")
    assert bad.returncode == 1 and "Unknown event type(s): OrderTeleported" in bad.stderr

    rotated = cli(db, "webhook", "rotate-secret", "1", "--grace-hours", "2", "--as", "ada")
    assert rotated.returncode == 0 and secret not in rotated.stdout and "whsec_" in rotated.stdout

    listed = cli(db, "webhook", "list")
    assert "OrderPaid,OrderShipped" in listed.stdout and "old secret signs until" in listed.stdout
    assert "whsec_" not in listed.stdout

    assert "disabled" in cli(db, "webhook", "disable", "1", "--as", "ada").stdout
    assert "was already disabled" in cli(db, "webhook", "disable", "1", "--as", "ada").stdout
    missing = cli(db, "webhook", "redeliver", "99", "--as", "ada")
    assert missing.returncode == 1 and "There is no webhook delivery 99." in missing.stderr
