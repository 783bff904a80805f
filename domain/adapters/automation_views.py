"""Read queries for automation rules: each rule with how often it ran and matched."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters.automation_repository import SqlAutomationRepository
from domain.views.integrations import AutomationRuleView


class SqlAutomationViews:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def rules(self) -> list[AutomationRuleView]:
        async with self.sessions() as session:
            rows = await SqlAutomationRepository(session).rules()
        return [
            AutomationRuleView(
                r.rule.name,
                r.rule.when,
                r.rule.conditions,
                r.rule.actions,
                r.rule.enabled,
                r.source,
                r.created_by,
                r.updated_at,
                r.runs,
                r.matched,
            )
            for r in rows
        ]
