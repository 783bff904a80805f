"""Small reads the command line needs that no view offers: ids to walk, a staff member by name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.model.staff import Role


async def product_ids(sessions: async_sessionmaker[AsyncSession]) -> list[int]:
    """Every product's id, in id order (a catalog export walks them one card at a time)."""
    async with sessions() as session:
        stmt = select(orm.products.c.id).order_by(orm.products.c.id)
        return [int(i) for i in (await session.execute(stmt)).scalars()]


async def active_staff_role(sessions: async_sessionmaker[AsyncSession], name: str) -> Role | None:
    """The role of the active staff member of that name (the latest, if the name was added twice)."""
    t = orm.staff_members.c
    stmt = select(t.role).where(t.name == name, t.active.is_(True)).order_by(t.id.desc()).limit(1)
    async with sessions() as session:
        role = (await session.execute(stmt)).scalar_one_or_none()
    return None if role is None else Role(role)
