"""INSERT with ON CONFLICT for the connection's dialect (PostgreSQL or SQLite; both spell it the same way).

Claims ("insert this row unless it exists") use ``on_conflict_do_nothing()`` rather than catching
IntegrityError: on SQLite a caught driver error keeps its cursor alive in a reference cycle, and the garbage
collector, resetting that cursor on the event loop's thread, then waits on a connection another thread is
using — a writer waiting out the busy timeout stalls the whole process for 30 s and ends "database is locked".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def dialect_insert(dialect: str, table: Table) -> Any:
    """``insert(table)`` with ``on_conflict_do_nothing`` / ``on_conflict_do_update`` for ``dialect``."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def session_insert(session: AsyncSession, table: Table) -> Any:
    """``dialect_insert`` for the database ``session`` is bound to."""
    return dialect_insert(session.bind.dialect.name, table)
