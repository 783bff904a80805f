"""`chatshop backup` of a SQLite shop while `chatshop run` serves shoppers, and `chatshop restore` of it: the
restored shop is one consistent moment (stock ledger equal to the counters, every order whole)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from chatshop.bootstrap import build_shop
from chatshop.cli_backup import BackupError, backup, restore
from chatshop.settings import Settings
from domain import commands as c
from domain.adapters import orm
from domain.adapters.health import head_revisions
from domain.adapters.migrate import upgrade_async
from tests.integration.bots.test_webchat_processes import Tab, env, socket_url
from tests.integration.campaigns.server_rig import Server, cli
from tests.support.shopdata import SmallShop

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


class ShopperTab(Tab):
    """A tab that lets the payment notices pushed between turns go by."""

    async def replies(self) -> list[dict[str, Any]]:
        data = await self.frame()
        while data["type"] == "notification":
            data = await self.frame()
        assert data["type"] == "replies", data
        self.last = list(data["replies"])
        return self.last


async def shopper(server: Server, number: int, stop: asyncio.Event, placed: list[int]) -> None:
    """Turns and checkouts through the web chat (a new shopper each time), paid on the sandbox page, until
    told to stop."""
    async with aiohttp.ClientSession() as http:
        while not stop.is_set():
            async with http.ws_connect(socket_url(server)) as ws:
                tab = ShopperTab(ws)
                await tab.hello()
                await tab.replies()
                await tab.say("show me red shoes")
                await tab.press("Add to cart")
                await tab.press("Check out")
                for answer in (f"Shopper {number}", "1 Main Street", "Springfield", "US", "12345"):
                    await tab.say(answer)
                await tab.press("Standard")
                link = (await tab.press("Place order"))[0]
                assert link["kind"] == "payment_link", link
                async with http.post(link["url"], data={"outcome": "paid"}) as response:
                    assert "Payment received" in await response.text()
                placed.append(number)


async def count_orders(database_url: str) -> tuple[int, int]:
    shop = build_shop(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    try:
        async with shop.sessions() as session:
            orders = (await session.execute(select(func.count()).select_from(orm.orders))).scalar_one()
            lines = (await session.execute(select(func.count()).select_from(orm.order_lines))).scalar_one()
        assert await shop.views.ledger_mismatches() == []
        return int(orders), int(lines)
    finally:
        await shop.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_backup_taken_mid_traffic_restores_a_consistent_shop(
    small: SmallShop, database_url: str, tmp_path: Path
) -> None:
    await small.shop.bus.handle(c.ReceiveStock("SHOE-RED-42", "EAST", 500, actor=c.SYSTEM))
    await small.shop.outbox.drain()
    settings = env(database_url) | {  # shoppers type fast here
        "CHATSHOP_WEBCHAT_RATE_LIMIT_MESSAGES": "1000",
        "CHATSHOP_WEBCHAT_NEW_CHATS_PER_MINUTE": "1000",
    }
    server = await Server(settings, tmp_path / "server.log").start(within=240)
    stop, placed = asyncio.Event(), []
    shoppers = [asyncio.create_task(shopper(server, n, stop, placed)) for n in range(3)]
    try:
        while len(placed) < 3:  # the shop is busy: orders being placed, paid, their events delivered
            await asyncio.sleep(0.1)
            assert not any(t.done() for t in shoppers), [t.exception() for t in shoppers if t.done()]
        before = len(placed)
        code, out, err = await cli(settings, "backup", str(tmp_path / "snapshot.db"))
        during = len(placed)
        await asyncio.sleep(1)  # and it goes on after the backup
        stop.set()
        await asyncio.gather(*shoppers)
    finally:
        stop.set()
        assert await server.terminate() == 0
    assert code == 0, err
    assert "backed up" in out and f"schema {head_revisions()[0]}" in out
    after = len(placed)
    assert after > during, "traffic carried on during and after the backup"

    # The disk is lost: the database and its WAL are gone. Restore the snapshot where the shop lived.
    db_file = Path(database_url.split("///", 1)[1])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    code, out, err = await cli(settings, "restore", str(tmp_path / "snapshot.db"))
    assert code == 0, err
    orders, lines = await count_orders(database_url)  # ledger_mismatches() == [] checked inside
    assert before <= orders <= during + len(shoppers)  # one moment between the two counts (+ orders in flight)
    assert lines == orders  # every order whole: one line each, none half-written
    restarted = await Server(settings, tmp_path / "restarted.log").start(within=240)
    try:
        async with aiohttp.ClientSession() as http, http.get(restarted.url + "/readyz") as response:
            assert response.status == 200, await response.text()
    finally:
        assert await restarted.terminate() == 0


async def test_restore_sets_the_current_database_aside_and_refuses_what_is_not_a_chatshop_backup(
    tmp_path: Path, sqlite_template: Path
) -> None:
    from datetime import UTC, datetime

    snapshot = tmp_path / "snapshot.db"
    assert backup(sqlite_template, snapshot) == head_revisions()[0]
    live = tmp_path / "live.db"
    await upgrade_async(f"sqlite+aiosqlite:///{live}", "0011")
    revision, kept = restore(snapshot, live, datetime(2026, 12, 6, 10, 0, tzinfo=UTC))
    assert revision == head_revisions()[0] and kept == tmp_path / "live.db.before-restore-20261206T100000Z"
    with sqlite3.connect(kept) as old, sqlite3.connect(live) as new:
        assert old.execute("SELECT version_num FROM alembic_version").fetchone() == ("0011",)
        assert new.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revisions()[0],)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(os.urandom(4096))
    with pytest.raises(BackupError, match="not a chatshop SQLite database"):
        restore(garbage, live, datetime.now(UTC))
    future = tmp_path / "future.db"
    backup(sqlite_template, future)
    with sqlite3.connect(future) as db:
        db.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(BackupError, match="revision 9999, which this version of chatshop does not know"):
        restore(future, live, datetime.now(UTC))


async def test_on_postgresql_the_commands_give_the_pg_dump_and_pg_restore_lines(tmp_path: Path) -> None:
    settings = os.environ | {"CHATSHOP_DATABASE_URL": "postgresql://shop:pw-secret@db.internal:5432/shop"}
    code, _, err = await cli(settings, "backup", "shop.dump")
    assert code == 2 and "pg_dump --format=custom --file shop.dump 'postgresql://shop:***@db.internal:5432/shop'" in err
    code, _, err = await cli(settings, "restore", "shop.dump")
    assert code == 2 and "pg_restore --clean --if-exists --no-owner --dbname" in err and "pw-secret" not in err
