"""Engines and sessions for SQLite and PostgreSQL, with the locking each needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeAlias

import aiosqlite
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

# What assembly code (chatshop/) holds and passes on without importing SQLAlchemy itself.
Engine: TypeAlias = AsyncEngine
Sessions: TypeAlias = async_sessionmaker[AsyncSession]


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, echo: bool = False, pool_size: int = 10) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    kwargs: dict[str, Any] = {"pool_size": pool_size, "max_overflow": pool_size, "pool_pre_ping": True}
    return create_async_engine(url, echo=echo, **kwargs)


def create_reader_engine(url: str, pool_size: int = 10) -> AsyncEngine:
    """PostgreSQL only: a pool for read scopes in autocommit (``read_scope.request_read_scope``), without the
    pre-ping that costs every checkout three round trips (BEGIN, a no-op, ROLLBACK). A connection the server
    dropped meanwhile is noticed by the scope's first statement instead, which reopens and runs it again
    (``ReadConnection.execute``): a read in autocommit can always be repeated."""
    if is_sqlite(url):
        raise ValueError("a reader engine is for PostgreSQL; SQLite reads share the shop's engine")
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False, isolation_level="AUTOCOMMIT"
    )


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL for concurrent readers, foreign keys on, and BEGIN IMMEDIATE for writers.

    pysqlite's own transaction handling is switched off so that we emit BEGIN ourselves: an IMMEDIATE
    transaction takes the write lock up front, which makes read-check-write sequences (stock, coupons)
    serialisable without SELECT ... FOR UPDATE, which SQLite lacks. Read-only sessions pass
    ``execution_options(sqlite_readonly=True)`` and get a plain deferred BEGIN.
    """
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get("sqlite_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    @event.listens_for(sync_engine, "handle_error")
    def _on_error(context: Any) -> None:
        close_refused_cursors(context.original_exception)


def close_refused_cursors(error: BaseException) -> None:
    """Close the driver cursor of a statement SQLite refused, now, on its connection's own thread.

    SQLAlchemy's aiosqlite adapter leaves that cursor open in a traceback frame, which sits in a reference
    cycle. Collected later on the event loop's thread, the cursor's finaliser waits for its connection's mutex;
    if that connection is by then busy-waiting for the write lock, held by a transaction that needs the event
    loop to commit, the whole process stands still for the 30 s busy timeout and the write fails with
    "database is locked" (tests/integration/test_sqlite_driver_errors.py)."""
    tb = error.__traceback__
    while tb is not None:
        cursor = tb.tb_frame.f_locals.get("_cursor")
        if isinstance(cursor, aiosqlite.Cursor):
            await_only(cursor.close())
        tb = tb.tb_next


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=True)


async def ping(engine: AsyncEngine) -> bool:
    """Whether the database answers a trivial query (health checks)."""
    async with engine.connect() as conn:
        return bool((await conn.execute(text("SELECT 1"))).scalar_one() == 1)


def sqlite_database(url: str) -> str | None:
    """The file of a SQLite URL ("" or ":memory:" when in memory); None for any other backend."""
    parsed = make_url(url)
    return (parsed.database or "") if parsed.get_backend_name() == "sqlite" else None


def display_url(url: str, drivername: str | None = None) -> str:
    """The URL with its password hidden, for messages (optionally with another driver, e.g. for pg_dump)."""
    parsed = make_url(url)
    if drivername is not None:
        parsed = parsed.set(drivername=drivername)
    return parsed.render_as_string(hide_password=True)
