"""SQL behind ``domain.views.campaigns.CampaignViews``: campaigns, their reports (``campaigns_reports``, one
statement for the whole list) and their audience counts, read without a unit of work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters.campaigns_reports import report_from_row, report_statement
from domain.adapters.campaigns_repository import audience_statement, campaign_from_row
from domain.adapters.orm_campaigns import campaigns
from domain.adapters.read_scope import read_rows
from domain.model.campaigns import Campaign, CampaignReport, CampaignStatus
from domain.ports import Clock
from domain.views.campaigns import CampaignRow

t = campaigns.c


def _named(name_or_id: str | int) -> Any:
    return t.id == int(name_or_id) if isinstance(name_or_id, int) else t.name == name_or_id


class SqlCampaignViews:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock, currency: str) -> None:
        self.sessions = sessions
        self.clock = clock
        self.currency = currency

    @property
    def dialect(self) -> str:
        bind = self.sessions.kw.get("bind")
        return str(bind.dialect.name) if bind is not None else "sqlite"

    async def _rows(self, stmt: Any) -> list[Any]:
        return await read_rows(self.sessions, stmt)

    async def campaign(self, name_or_id: str | int) -> CampaignRow | None:
        rows = await self._rows(select(campaigns).where(_named(name_or_id)))
        return CampaignRow(campaign_from_row(rows[0]), rows[0].updated_at) if rows else None

    async def reports(self, name_or_id: str | int | None = None) -> list[CampaignReport]:
        stmt = report_statement(None if name_or_id is None else _named(name_or_id))
        return [report_from_row(row, self.currency) for row in await self._rows(stmt)]

    async def audience(self, campaign: Campaign) -> dict[str, int]:
        ((matching, reachable),) = await self._rows(audience_statement(campaign, self.clock.now(), self.dialect))
        return {"matching": int(matching), "reachable": int(reachable)}

    async def page(self, limit: int, after_id: int | None, status: CampaignStatus | None) -> list[CampaignRow]:
        stmt = select(campaigns).order_by(t.id).limit(limit)
        if after_id is not None:
            stmt = stmt.where(t.id > after_id)
        if status is not None:
            stmt = stmt.where(t.status == status.value)
        return [CampaignRow(campaign_from_row(row), row.updated_at) for row in await self._rows(stmt)]
