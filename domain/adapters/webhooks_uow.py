"""The SQL unit of work with the webhook and automation repositories beside the others."""

from __future__ import annotations

from typing import Self

from domain.adapters.automation_repository import SqlAutomationRepository
from domain.adapters.unit_of_work import SqlUnitOfWork
from domain.adapters.webhooks_repository import SqlWebhookRepository


class SqlWebhookUnitOfWork(SqlUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.webhooks = SqlWebhookRepository(self.session)
        self.automations = SqlAutomationRepository(self.session)
        return self
