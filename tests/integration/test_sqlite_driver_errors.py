"""A statement SQLite refuses must not leave an open driver cursor for the garbage collector.

SQLAlchemy's aiosqlite adapter keeps the refused statement's cursor in a traceback frame caught in a reference
cycle. Collected later on the event loop's thread, its finaliser waits for the connection's mutex; when that
connection is by then busy-waiting for the write lock, the process stands still for the whole busy timeout
and the write fails with "database is locked" (a CI run failed that way in a web chat test's teardown)."""

from __future__ import annotations

import asyncio
import gc
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, text
from sqlalchemy.exc import IntegrityError

from domain.adapters import orm
from domain.adapters.db import create_engine


@pytest.fixture
def collector_off() -> Iterator[None]:
    """The collector runs when the test says so, not whenever allocation counts say."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def test_collecting_a_refused_statement_never_stalls_a_writer_waiting_for_the_lock(
    sqlite_template: Path, tmp_path: Path, collector_off: None
) -> None:
    path = tmp_path / "shop.db"
    shutil.copy(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                row = {"consumer": "c", "message_id": "m", "processed_at": None}  # NOT NULL refused
                await conn.execute(insert(orm.processed_messages).values(**row))

        other_process = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        other_process.execute("BEGIN IMMEDIATE")  # holds the write lock for a moment

        async def write() -> None:
            async with engine.begin() as conn:  # the pool's one connection, the refused statement's
                await conn.execute(text("SELECT 1"))

        writer = asyncio.create_task(write())
        await asyncio.sleep(0.3)  # the writer is now busy-waiting for the lock, on its own thread
        gc.collect()  # before the fix: stood still until the writer's busy timeout ran out
        other_process.execute("ROLLBACK")
        other_process.close()
        await asyncio.wait_for(writer, 10)  # before the fix: "database is locked"
    finally:
        await engine.dispose()
