"""The fake Bot API (``fake_telegram.FakeTelegram``) in a process of its own, for benchmarks: its clock
and event loop are then not shared with the sender being measured, as with the real Telegram.

Usage: python -m tests.support.fake_telegram_process PER_SECOND PER_CHAT_PER_SECOND
Prints the base URL, then on any line from stdin prints one JSON object with every message call
(``[chat_id, monotonic time, rejected status or 0]``) and exits.
"""

from __future__ import annotations

import asyncio
import json
import sys

from tests.support.fake_telegram import MESSAGE_METHODS, FakeTelegram, Limits


async def main(per_second: int, per_chat: int) -> None:
    async with FakeTelegram(limits=Limits(per_second=per_second, per_chat_per_second=per_chat, retry_after=1)) as fake:
        print(fake.url, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        calls = [
            [c.chat_id, c.at, int(c.params.get("_rejected") or 0)] for c in fake.calls if c.method in MESSAGE_METHODS
        ]
        print(json.dumps({"calls": calls}), flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
