"""SQL behind ``domain.saved_views``."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters.orm_console_more import console_saved_views
from domain.errors import ValidationFailed
from domain.ports import Clock
from domain.saved_views import MAX_VIEWS, SavedView, clean_view

V = console_saved_views.c


class SqlSavedViewStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    async def views(self, staff_id: int) -> list[SavedView]:
        async with self.sessions() as session:
            rows = await session.execute(select(V.id, V.name, V.query).where(V.staff_id == staff_id).order_by(V.name))
            return [SavedView(r[0], r[1], r[2]) for r in rows]

    async def save(self, staff_id: int, name: str, query: str) -> int:
        name, query = clean_view(name, query)
        async with self.sessions.begin() as session:
            found = (
                await session.execute(select(V.id).where(V.staff_id == staff_id, V.name == name).with_for_update())
            ).scalar_one_or_none()
            if found is not None:
                await session.execute(update(console_saved_views).where(V.id == found).values(query=query))
                return int(found)
            count = (
                await session.execute(
                    select(func.count()).select_from(console_saved_views).where(V.staff_id == staff_id)
                )
            ).scalar_one()
            if count >= MAX_VIEWS:
                raise ValidationFailed(f"At most {MAX_VIEWS} saved views each; delete one first.")
            row = {"staff_id": staff_id, "name": name, "query": query, "created_at": self.clock.now()}
            return int((await session.execute(insert(console_saved_views).values(**row).returning(V.id))).scalar_one())

    async def delete(self, staff_id: int, view_id: int) -> None:
        async with self.sessions.begin() as session:
            await session.execute(delete(console_saved_views).where(V.id == view_id, V.staff_id == staff_id))
