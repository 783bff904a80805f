"""One read connection shared by every view of a turn (or a request), opened on the first read.

A view called outside a scope opens a session of its own, as before. Inside one, every statement runs on
one pooled connection in one read transaction (a deferred ``BEGIN`` on SQLite: no write lock), so a
shopper turn that searches and opens a card costs one checkout from the pool and one ``BEGIN`` instead of
one per view call.

``release()`` ends the transaction and gives the connection back. Call it before a command: on SQLite a
read transaction keeps the snapshot of its first read, so views after the command would not see what the
command wrote; and a turn then holds at most one pooled connection at a time, so turns waiting for a
connection can never hold the one another turn waits for. The next view opens a fresh one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class ReadConnection:
    """The connection of one scope: opened lazily, released on demand, closed when the scope ends."""

    def __init__(self, engine: AsyncEngine, autocommit: bool = False) -> None:
        self._engine = engine
        # PostgreSQL only: each statement on its own, no BEGIN and ROLLBACK round trips (for a scope whose
        # reads need no common snapshot). SQLite keeps its deferred BEGIN (no write lock either way).
        self._autocommit = autocommit and engine.dialect.name == "postgresql"
        self._conn: AsyncConnection | None = None
        self.closed = False
        self.memo: dict[str, list[Any]] = {}  # rows read once per scope, forgotten on release
        self.opened = 0  # connections taken from the pool during the scope (tests count them)

    async def connection(self) -> AsyncConnection:
        if self._conn is None:
            conn = await self._engine.connect()
            try:
                # The option is read by the SQLite "begin" listener (domain/adapters/db.py): a deferred BEGIN.
                options: dict[str, Any] = {"sqlite_readonly": True}
                if self._autocommit:
                    options["isolation_level"] = "AUTOCOMMIT"
                self._conn = await conn.execution_options(**options)
            except BaseException:
                await conn.close()
                raise
            self.opened += 1
        return self._conn

    async def execute(self, stmt: Any, params: dict[str, Any] | None = None) -> list[Any]:
        conn = await self.connection()
        return list((await conn.execute(stmt, params)).all())

    async def release(self) -> None:
        self.memo.clear()  # a command may have changed them
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()  # rolls the read transaction back (nothing to keep) and returns it to the pool


@asynccontextmanager
async def read_scope(engine: AsyncEngine, autocommit: bool = False) -> AsyncIterator[ReadConnection]:
    reads = ReadConnection(engine, autocommit)
    try:
        yield reads
    finally:
        reads.closed = True
        await reads.release()


# The read connection of the request being answered (the admin API's GET requests), for adapters that
# are shared by every request (the API key store, the admin views): they read on it when one is open.
REQUEST_READS: ContextVar[ReadConnection | None] = ContextVar("request_reads", default=None)


def request_reads() -> ReadConnection | None:
    reads = REQUEST_READS.get()
    return None if reads is None or reads.closed else reads


@asynccontextmanager
async def request_read_scope(engine: AsyncEngine) -> AsyncIterator[ReadConnection]:
    """One read connection for a whole request: the key lookup and the page it asks for. Only for requests
    that write nothing (on SQLite a command's writes would be invisible to the open read transaction).
    On PostgreSQL in autocommit: each view's statement sees what was committed when it ran, as when each
    view opened a session of its own; a view that needs one snapshot for several statements opens its own."""
    async with read_scope(engine, autocommit=True) as reads:
        token = REQUEST_READS.set(reads)
        try:
            yield reads
        finally:
            REQUEST_READS.reset(token)
