"""What readiness checks and ``chatshop doctor`` ask the database: its schema revision and the outbox's lag."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.migrate import alembic_config


@lru_cache(maxsize=1)
def head_revisions() -> tuple[str, ...]:
    """The revisions this code expects (the migration scripts' heads)."""
    return tuple(sorted(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads()))


def _current(connection: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


async def current_revisions(engine: AsyncEngine) -> tuple[str, ...]:
    """The revisions the database is at (empty before the first ``chatshop db upgrade``)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


async def outbox_lag_seconds(sessions: async_sessionmaker[AsyncSession], now: datetime) -> float:
    """How long the oldest event that is due for delivery has waited (0 when none is due).

    Due: not delivered, not dead, and its ``available_at`` passed (an event waiting out a retry back-off is
    failing, not lagging: ``chatshop outbox status`` shows those)."""
    t = orm.outbox.c
    due = and_(t.delivered_at.is_(None), t.dead_at.is_(None), t.available_at <= now)
    async with sessions() as session:
        oldest: datetime | None = (await session.execute(select(func.min(t.available_at)).where(due))).scalar_one()
    if oldest is None:
        return 0.0
    return max(0.0, (now - oldest).total_seconds())
