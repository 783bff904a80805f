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

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

# What asyncpg raises on a connection the server dropped, by how far it had noticed: the server's own
# "terminating connection" message (operator intervention), the closed socket, or - when the
# termination notice arrives between two operations - its protocol refusing the next one
# (InternalClientError "another operation is in progress", seen in CI).
_DROPPED_CONNECTION: tuple[type[BaseException], ...] = (
    asyncpg.ConnectionDoesNotExistError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.PostgresConnectionError,
    OSError,
)


class PlainStatement:
    """A statement built once and kept (never one per request), for ``ReadConnection.fetch_plain``."""

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt
        self._compiled: tuple[Any, str, tuple[str, ...], dict[str, Any]] | None = None

    def compiled(self, dialect: Any) -> tuple[str, tuple[str, ...], dict[str, Any]]:
        """Its SQL for ``dialect``, the names of its parameters in order, and the values it binds itself."""
        if self._compiled is None or self._compiled[0] is not dialect:
            compiled = self.stmt.compile(dialect=dialect)
            names = tuple(compiled.positiontup or ())
            own = {name: bind.effective_value for name, bind in compiled.binds.items() if not bind.required}
            self._compiled = (dialect, compiled.string, names, own)
        return self._compiled[1], self._compiled[2], self._compiled[3]


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
        try:
            return list((await conn.execute(stmt, params)).all())
        except DBAPIError as exc:
            # A pooled connection the server dropped (a restart, an idle timeout; the reader engine does
            # not ping): in autocommit no snapshot is lost, so reopen once and run the statement again.
            if not (self._autocommit and exc.connection_invalidated):
                raise
        self._conn = None
        await conn.close()
        conn = await self.connection()
        return list((await conn.execute(stmt, params)).all())

    async def fetch_plain(self, plain: PlainStatement, params: dict[str, Any]) -> list[Sequence[Any]]:
        """``execute`` for a hot read whose columns need no result processing on PostgreSQL (integers, text,
        enums as text, timestamptz as aware UTC): on asyncpg the statement, compiled once, is run by the
        driver itself (which keeps it prepared), skipping SQLAlchemy's per-execution work (a third of a
        page's cost); elsewhere it is ``execute``. Rows are tuples: unpack them by position."""
        conn = await self.connection()
        if conn.dialect.driver != "asyncpg":
            return await self.execute(plain.stmt, params)
        sql, names, defaults = plain.compiled(conn.dialect)
        args = [params[name] if name in params else defaults[name] for name in names]
        try:
            raw: Any = (await conn.get_raw_connection()).driver_connection
            return list(await raw.fetch(sql, *args))
        except _DROPPED_CONNECTION:
            if not self._autocommit:
                raise
        # As in ``execute``: the server dropped the pooled connection; reopen once and read again.
        self._conn = None
        await conn.invalidate()
        await conn.close()
        conn = await self.connection()
        raw = (await conn.get_raw_connection()).driver_connection
        return list(await raw.fetch(sql, *args))

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


async def read_rows(
    sessions: async_sessionmaker[AsyncSession], stmt: Any, params: dict[str, Any] | None = None
) -> list[Any]:
    """A view's statement on the request's read connection when one is open, else on a session of its own in a
    read-only (deferred on SQLite) transaction: what every console and admin view does for each read."""
    reads = request_reads()
    if reads is not None:
        return await reads.execute(stmt, params)
    async with sessions() as session:
        conn = await session.connection(execution_options={"sqlite_readonly": True})
        return list((await conn.execute(stmt, params)).all())
