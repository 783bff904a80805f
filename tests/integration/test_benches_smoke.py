"""Every benchmark runs end to end in a tiny mode, so a signature change breaks the build, not the next
measurement (issue 17: bench/telegram_updates.py had rotted unnoticed). No figure is asserted: these are not
timings, only that each bench still measures and prints its JSON with a ratio."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.services import postgres_url

ROOT = Path(__file__).resolve().parents[2]
SQLITE_BENCHES = {
    "turns": ["--turns", "5"],
    "telegram_updates": ["--rounds", "1", "--shoppers", "2"],
    "nlu": ["--rounds", "1"],
    "webhooks": ["--smoke"],
    "churn_backtest": ["--customers", "300"],
}
POSTGRES_BENCHES = {
    "checkout_contention": ["--seconds", "0.2"],
    "report_1m": ["--orders", "2000"],
    "api": ["--smoke"],
}


def run_bench(name: str, args: list[str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, f"bench/{name}.py", *args, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert isinstance(result, dict)
    return result


@pytest.mark.parametrize("name", sorted(SQLITE_BENCHES))
def test_the_bench_runs_in_its_smoke_mode(name: str) -> None:
    result = run_bench(name, SQLITE_BENCHES[name])
    assert "ratio" in result


@pytest.mark.parametrize("name", sorted(POSTGRES_BENCHES))
def test_the_postgres_bench_runs_in_its_smoke_mode(name: str) -> None:
    url = postgres_url()  # the bench makes and drops a database of its own next to this one
    result = run_bench(name, [*POSTGRES_BENCHES[name], "--url", url])
    assert "ratio" in result, result


def test_the_report_bench_runs_on_sqlite_too(tmp_path: Path) -> None:
    result = run_bench("report_1m", ["--orders", "2000", "--url", f"sqlite+aiosqlite:///{tmp_path / 'bench.db'}"])
    assert result["database"] == "sqlite" and "ratio" in result
    assert isinstance(result["dashboard"], dict) and "trend_30d" in result["dashboard"]


def test_the_checkout_bench_runs_on_sqlite_too() -> None:
    result = run_bench("checkout_contention", ["--seconds", "0.2", "--sqlite"])
    assert result["database"] == "sqlite" and "ratio" in result
    assert result["oversold"] == 0


@pytest.mark.parametrize(
    ("name", "args", "heading"),
    [
        ("profile_turns", ["--turns", "5", "--top", "3"], "time per turn by area"),
        ("profile_checkout", ["--sqlite", "--checkouts", "5", "--top", "3"], "statements per checkout"),
    ],
)
def test_the_profiles_run_in_a_tiny_mode(name: str, args: list[str], heading: str) -> None:
    done = subprocess.run(
        [sys.executable, f"bench/{name}.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert heading in done.stdout
