"""Broadcast throughput against a fake Bot API that enforces Telegram's limits (scaled up).

    python bench/broadcast.py [--recipients 10000] [--rate 250] [--url sqlite+aiosqlite:///…] [--json]
    python bench/broadcast.py --workers 2 --url postgresql+asyncpg://… --redis redis://… [--json]

10,000 customers, one campaign, sent through the real Telegram transport (aiogram, the rate-limited
sender) to ``tests/support/fake_telegram.py``, which answers 429 whenever more than ``--rate`` messages
arrive within any one second (Telegram's 30/s, scaled so the run takes under a minute). Prints the
achieved rate over the enforced limit (goal >= 0.95), duplicates, losses and 429s. ``--json`` prints one
object with ``ratio``. Uses a fresh SQLite file under a temporary directory unless ``--url`` (an empty,
migrated database) is given. ``--workers N`` sends from N worker processes instead of this one (the
dispatcher's production loop, the rate shared through Redis), as a deployment would. The sender's CPU
per message (this process, or the workers) is printed too: the rate is reached only if it stays well
under one core's worth per second, and the machine's load decides how much of a core the sender gets.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from chatshop.bootstrap import Shop, build_shop  # noqa: E402 - after the sys.path line
from chatshop.settings import Settings  # noqa: E402 - after the sys.path line
from domain import commands as c  # noqa: E402 - after the sys.path line
from domain.adapters.migrate import upgrade  # noqa: E402 - after the sys.path line
from domain.ports import SystemClock  # noqa: E402 - after the sys.path line
from tests.integration.campaigns.helpers import APPROVER, MARKETER, Person, add_people, campaign, enable, store  # noqa: E402 - after the sys.path line
from tests.integration.campaigns.telegram_rig import telegram_dispatcher  # noqa: E402 - after the sys.path line


def _favour(pid: int) -> str:
    """Run the fake Bot API ahead of everything else on this machine, when we may.

    It stands in for Telegram's servers, which do not compete with the sender for this machine's CPU. A
    fake starved by other load stamps arrivals when it finally runs, in bunches, and answers 429 to a
    sender that kept the pace: measured with both cores busy, 0.867 of the limit with the fake at normal
    priority against 0.932 with it favoured, the sender being the same."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, -10)
    except OSError:
        return "normal (not permitted to raise it)"
    return "raised (nice -10)"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def _worker_processes(shop: Shop, campaign_id: int, n: int, args: list[str]) -> None:
    """Send with ``n`` worker processes (``tests/support/campaign_worker.py``: the dispatcher's ``run`` loop,
    the rate shared through Redis), as a deployment would; returns once no row is queued or sending."""
    procs = []
    for _ in range(n):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.campaign_worker", *args, "110", cwd=ROOT, stdout=subprocess.PIPE
        )
        assert proc.stdout is not None
        assert (await proc.stdout.readline()).strip() == b"ready"
        procs.append(proc)
    while True:
        counts = await store(shop).counts(campaign_id)
        if counts.get("queued", 0) + counts.get("sending", 0) == 0:
            break
        await asyncio.sleep(0.1)
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()


async def run(
    url: str,
    recipients: int,
    rate: float,
    in_flight: int,
    enforce: float | None = None,
    calls_file: str | None = None,
    workers: int = 0,
    redis_url: str | None = None,
) -> dict[str, object]:
    shop = build_shop(Settings(database_url=url, _env_file=None), clock=SystemClock())  # type: ignore[call-arg]
    enable(shop)
    await add_people(shop, [Person(telegram=1_000_000 + i) for i in range(recipients)], shop.clock.now())
    command = campaign("bench", quiet_hours=("00:00", "00:00"), cap_messages=1000)
    campaign_id = int(await shop.bus.handle(command))
    await shop.bus.handle(c.SubmitCampaign("bench", MARKETER))
    await shop.bus.handle(c.ApproveCampaign("bench", APPROVER))
    await shop.bus.handle(c.StartCampaignRun(campaign_id, now=True))
    # The fake Bot API runs in its own process: its clock and event loop are not the sender's.
    fake = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.fake_telegram_process", str(int(enforce or rate)), "1",
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, limit=2**26,
    )  # fmt: skip
    assert fake.stdin is not None and fake.stdout is not None
    remote_priority = _favour(fake.pid)
    api = (await fake.stdout.readline()).decode().strip()
    transactions: dict[str, int] = {}
    if workers == 0:
        dispatcher = telegram_dispatcher(shop, api, rate, max_in_flight=in_flight)
        started, cpu = time.monotonic(), time.process_time()
        await dispatcher.drain()
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
        transactions = {"claims": dispatcher.stats.claims, "bookings": dispatcher.booker.writes}
        await dispatcher.aclose()
    else:
        assert redis_url, "--workers needs --redis (the processes share the rate through it)"
        started, cpu = time.monotonic(), _children_cpu()
        await _worker_processes(shop, campaign_id, workers, [url, api, redis_url, str(rate), "120", str(in_flight)])
        elapsed, cpu = time.monotonic() - started, _children_cpu() - cpu
    fake.stdin.write(b"dump\n")
    await fake.stdin.drain()
    calls = json.loads(await fake.stdout.readline())["calls"]
    await fake.wait()
    if calls_file:
        await asyncio.to_thread(Path(calls_file).write_text, json.dumps(calls))
    accepted = [(chat, at) for chat, at, rejected in calls if not rejected]
    rejected = Counter(status for _, _, status in calls if status)
    counts = await store(shop).counts(campaign_id)
    await shop.close()
    chats = Counter(chat for chat, _ in accepted)
    # The achieved rate is measured from the first to the last accepted message (start-up excluded).
    span = accepted[-1][1] - accepted[0][1] if len(accepted) > 1 else elapsed
    achieved = (len(accepted) - 1) / span if span > 0 else 0.0
    return {
        "recipients": recipients,
        "limit_per_second": rate,
        "achieved_per_second": round(achieved, 1),
        "ratio": round(achieved / rate, 3),
        "seconds": round(elapsed, 1),
        "duplicates": sum(n - 1 for n in chats.values() if n > 1),
        "losses": recipients - len(chats),
        "too_many_requests": rejected.get(429, 0),
        "workers": workers or 1,
        "sender_cpu_ms_per_message": round(1000 * cpu / max(1, len(accepted)), 2),
        "transactions": transactions,
        "fake_api_priority": remote_priority,
        "states": counts,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=250.0)
    parser.add_argument("--in-flight", type=int, default=35)
    parser.add_argument("--url", default=None)
    parser.add_argument("--enforce", type=float, default=None, help="the fake's limit, if not --rate (diagnostics)")
    parser.add_argument("--calls", default=None, help="write every call the fake saw to this file (diagnostics)")
    parser.add_argument("--workers", type=int, default=0, help="send from this many processes (needs --url, --redis)")
    parser.add_argument("--redis", default=None, help="Redis URL: the rate limit shared by --workers processes")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        if args.url is None:
            upgrade(url)
        result = asyncio.run(
            run(url, args.recipients, args.rate, args.in_flight, args.enforce, args.calls, args.workers, args.redis)
        )
    if args.json:
        print(json.dumps(result))
        return
    rows = [
        ("recipients", result["recipients"]),
        ("sending processes", result["workers"]),
        ("enforced limit (msg/s)", result["limit_per_second"]),
        ("achieved (msg/s)", result["achieved_per_second"]),
        ("ratio achieved / limit (goal >= 0.95)", result["ratio"]),
        ("duplicates", result["duplicates"]),
        ("losses", result["losses"]),
        ("429 answers", result["too_many_requests"]),
        ("sender CPU per message (ms)", result["sender_cpu_ms_per_message"]),
        ("wall time (s)", result["seconds"]),
        ("fake Bot API priority", result["fake_api_priority"]),
        ("delivery states", result["states"]),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
