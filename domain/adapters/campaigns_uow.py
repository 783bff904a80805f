"""The SQL unit of work with the campaign repository beside the others.

A strict superset of ``SqlUnitOfWork``: assembly can build every unit of work with it
(``chatshop/bootstrap.py``); until it does, ``enable_campaigns`` switches a built context over.
"""

from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.adapters.unit_of_work import SqlUnitOfWork
from domain.ports import Clock
from domain.service_layer.context import Context


class SqlCampaignUnitOfWork(SqlUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.campaigns = SqlCampaignRepository(self.session)
        return self


def enable_campaigns(ctx: Context, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    ctx.uow = lambda: SqlCampaignUnitOfWork(sessions, clock)
