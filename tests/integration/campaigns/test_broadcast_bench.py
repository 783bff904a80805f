"""``bench/broadcast.py --smoke``: the benchmark of the server's own sending path runs end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(240)
ROOT = Path(__file__).resolve().parents[3]


def test_the_broadcast_bench_measures_the_servers_sending_path_from_approval_to_the_last_message() -> None:
    done = subprocess.run(
        [sys.executable, "bench/broadcast.py", "--smoke", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=200,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["path"] == "server" and result["shared_limiter"] == "database"
    assert (result["duplicates"], result["losses"], result["unknown"]) == (0, 0, 0)
    assert result["states"] == {"sent": result["recipients"]}
    assert 0 < result["ratio"] <= 1.0 and result["first_message_after_approval_s"] < 5
