"""``chatshop run`` as a real process against the fake Bot API, for the tests of the server's own sending
path (and ``campaign send --foreground`` beside it)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.fake_telegram import TOKEN

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(db: str, api: str, rate: float, redis: str | None = None, port: int | None = None) -> dict[str, str]:
    env = os.environ | {
        "CHATSHOP_DATABASE_URL": db,
        "CHATSHOP_TELEGRAM_TOKEN": TOKEN,
        "CHATSHOP_TELEGRAM_API_URL": api,
        "CHATSHOP_TELEGRAM_RATE_PER_SECOND": str(rate),
        "CHATSHOP_SECRET_KEY": "secret",
        "CHATSHOP_HTTP_HOST": "127.0.0.1",
        "CHATSHOP_HTTP_PORT": str(port or free_port()),
        "COLUMNS": "200",
    }
    for name in ("CHATSHOP_REDIS_URL", "CHATSHOP_SLACK_BOT_TOKEN", "CHATSHOP_STRIPE_SECRET_KEY"):
        env.pop(name, None)
    if redis:
        env["CHATSHOP_REDIS_URL"] = redis
    return env


class Server:
    """One ``chatshop run`` process; its log (stdout and stderr) goes to ``log``."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.env['CHATSHOP_HTTP_PORT']}"

    async def start(self, within: float = 90.0) -> Server:
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "chatshop.cli", "run", cwd=ROOT, env=self.env, stdout=out, stderr=out
            )
        deadline = time.monotonic() + within
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                assert self.proc.returncode is None, self.log.read_text()
                try:
                    async with http.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return self
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise AssertionError(f"chatshop run did not start:\n{self.log.read_text()}")

    async def terminate(self, within: float = 30.0) -> int:
        assert self.proc is not None
        self.proc.terminate()  # SIGTERM, as a deploy does
        return await asyncio.wait_for(self.proc.wait(), within)

    def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()


async def cli(env: dict[str, str], *args: str, within: float = 180) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatshop.cli",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), within)
    return int(proc.returncode or 0), out.decode(), err.decode()


class FakeBotApiProcess:
    """The fake Bot API in a process of its own, favoured by the scheduler when we may (as Telegram's servers
    do not share this machine's CPU): on a busy machine an in-process fake stamps arrivals late, in bunches,
    and a rate measured there says more about the load than about the senders. ``calls()`` ends it and returns
    every message call as (chat id, monotonic time, refused status or 0)."""

    def __init__(self, per_second: int, per_chat: int = 1) -> None:
        self.args = (str(per_second), str(per_chat))
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""

    async def __aenter__(self) -> FakeBotApiProcess:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.support.fake_telegram_process", *self.args, cwd=ROOT,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**26,
        )  # fmt: skip
        with contextlib.suppress(OSError):  # not permitted: it runs at normal priority
            os.setpriority(os.PRIO_PROCESS, self.proc.pid, -10)
        assert self.proc.stdout is not None
        self.url = (await asyncio.wait_for(self.proc.stdout.readline(), 60)).decode().strip()
        return self

    async def calls(self) -> list[tuple[int, float, int]]:
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(b"dump\n")
        await self.proc.stdin.drain()
        data: dict[str, Any] = json.loads(await asyncio.wait_for(self.proc.stdout.readline(), 60))
        await self.proc.wait()
        return [(int(chat), float(at), int(status)) for chat, at, status in data["calls"]]

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
