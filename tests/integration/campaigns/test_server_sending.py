"""Campaigns sent by ``chatshop run`` itself (a real process) against a fake Bot API enforcing Telegram's real
30 messages a second: the sender starts with the server and is woken by an approval, a SIGTERM loses and
doubles nobody, and a ``campaign send --foreground`` beside the server shares the bot's one rate."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.adapters.orm_campaigns import campaign_deliveries
from tests.integration.campaigns.helpers import APPROVER, MARKETER, Person, add_people, campaign
from tests.integration.campaigns.server_rig import FakeBotApiProcess, Server, cli, server_env
from tests.support.fake_telegram import FakeTelegram, Limits
from tests.support.services import redis_url

pytestmark = pytest.mark.timeout(300)
LIMIT = 30  # Telegram's own: messages a second per bot


async def states(shop: Shop) -> Counter[str]:
    async with shop.sessions() as session:
        rows = await session.execute(select(campaign_deliveries.c.state, func.count()).group_by("state"))
        return Counter({str(state): int(n) for state, n in rows.all()})


async def until(predicate: object, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        result = predicate() if callable(predicate) else None
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def draft(shop: Shop, people: int, first_chat: int) -> None:
    await add_people(shop, [Person(telegram=first_chat + i) for i in range(people)], shop.clock.now())
    # The server runs on the real clock: no quiet hours, so the test doesn't depend on the time of day.
    await shop.bus.handle(campaign(quiet_hours=("00:00", "00:00"), cap_messages=100))
    await shop.bus.handle(c.SubmitCampaign("spring", actor=MARKETER))


def busiest_second(times: list[float]) -> int:
    ordered = sorted(times)
    most, start = 0, 0
    for end, t in enumerate(ordered):
        while t - ordered[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


async def test_the_running_server_sends_the_first_message_within_two_seconds_of_approval(
    shop: Shop, database_url: str, tmp_path: Path
) -> None:
    await draft(shop, 40, 700_000)
    async with FakeTelegram(limits=Limits(per_second=LIMIT, per_chat_per_second=1)) as fake:
        server = await Server(server_env(database_url, fake.url, LIMIT), tmp_path / "server.log").start()
        try:
            await asyncio.sleep(3)  # idle for a while: the sender must not be waiting for a minute's job
            await shop.bus.handle(c.ApproveCampaign("spring", actor=APPROVER))
            approved_at = time.monotonic()
            await until(lambda: fake.sent("sendMessage"), 10, "the first message")
            first = fake.sent("sendMessage")[0].at - approved_at
            await until(lambda: len(fake.sent("sendMessage")) == 40, 30, "every message")
            assert await server.terminate() == 0
        finally:
            server.kill()
    assert first < 2.0, f"the first message left {first:.2f} s after approval"
    assert sorted(Counter(call.chat_id for call in fake.sent("sendMessage")).values()) == [1] * 40
    log = server.log.read_text()
    assert "Unclosed client session" not in log and "Traceback" not in log, log


async def test_a_sigterm_mid_campaign_loses_nobody_and_a_restart_sends_everyone_exactly_once(
    shop: Shop, database_url: str, tmp_path: Path
) -> None:
    people = 240
    await draft(shop, people, 800_000)
    async with FakeTelegram(limits=Limits(per_second=LIMIT, per_chat_per_second=1, retry_after=1)) as fake:
        env = server_env(database_url, fake.url, LIMIT)
        server = Server(env, tmp_path / "server.log")
        await server.start()
        try:
            await shop.bus.handle(c.ApproveCampaign("spring", actor=APPROVER))
            await until(lambda: len(fake.sent("sendMessage")) >= 60, 60, "60 messages")
            assert await server.terminate() == 0  # a deploy
        finally:
            server.kill()
        after_stop = await states(shop)
        sent_before_restart = len(fake.sent("sendMessage"))
        restarted = Server(env, tmp_path / "restarted.log")
        await restarted.start()
        try:
            await until(lambda: len(fake.sent("sendMessage")) >= people, 60, "every message after the restart")
            await asyncio.sleep(0.5)  # anything sent twice would arrive now
            assert await restarted.terminate() == 0
        finally:
            restarted.kill()
        delivered = Counter(call.chat_id for call in fake.sent("sendMessage"))
    # On stop, rows claimed but not yet sent went back to the queue; none were left in flight or unknown.
    assert after_stop["sending"] == 0 and after_stop["unknown"] == 0, after_stop
    assert after_stop["sent"] == sent_before_restart and after_stop["queued"] == people - sent_before_restart
    assert [chat for chat, n in delivered.items() if n > 1] == [], "a chat got the campaign twice"
    assert len(delivered) == people, "someone was lost"
    assert await states(shop) == Counter({"sent": people})
    for log in (server.log, restarted.log):
        text = log.read_text()
        assert "Unclosed client session" not in text and "Traceback" not in text, text


async def sent_count(shop: Shop) -> int:
    return (await states(shop))["sent"]


async def all_sent(shop: Shop, people: int) -> bool:
    return await states(shop) == Counter({"sent": people})


@pytest.mark.parametrize(
    ("database_url", "shared_through"), [("postgres", "redis"), ("sqlite", "database")], indirect=["database_url"]
)
async def test_a_foreground_send_beside_the_server_joins_it_at_the_bots_one_rate(
    shop: Shop, database_url: str, shared_through: str, tmp_path: Path
) -> None:
    people = 600
    redis = None
    if shared_through == "redis":
        redis = redis_url()
        await Redis.from_url(redis).flushdb()
    await draft(shop, people, 900_000)
    async with FakeBotApiProcess(LIMIT) as fake:
        env = server_env(database_url, fake.url, LIMIT, redis)
        server = await Server(env, tmp_path / "server.log").start()
        try:
            await shop.bus.handle(c.ApproveCampaign("spring", actor=APPROVER))
            await until(lambda: sent_count(shop), 60, "the server sending")
            code, out, err = await cli(env, "campaign", "send", "spring", "--foreground")
            assert code == 0, out + err
            assert "joins in" in out
            await until(lambda: all_sent(shop, people), 60, "every message")
            assert await server.terminate() == 0
        finally:
            server.kill()
        calls = await fake.calls()
    arrivals = [at for _, at, _ in calls]  # refused or not: what the two senders together asked of the bot
    accepted = [at for _, at, refused in calls if not refused]
    delivered = Counter(chat for chat, _, refused in calls if not refused)
    too_many = sum(1 for _, _, refused in calls if refused == 429)
    busiest = busiest_second(arrivals)
    print(f"busiest second {busiest}, 429s {too_many}, {people} messages in {accepted[-1] - accepted[0]:.1f} s")
    assert "Unclosed client session" not in out + err
    assert [chat for chat, n in delivered.items() if n > 1] == [], "a chat got the campaign twice"
    assert len(delivered) == people
    assert too_many <= people // 100, too_many  # at most 1% refused (each is queued again, never lost)
    # Never two rates side by side (the issue measured 57-59 in a second): at worst a late arrival or two
    # in one second, from a sender the busy machine kept waiting between its slot and its write.
    assert busiest <= LIMIT + 3, busiest
    assert accepted[-1] - accepted[0] >= (people - 1) / LIMIT
