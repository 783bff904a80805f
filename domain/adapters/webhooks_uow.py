"""The SQL unit of work with the webhook and automation repositories beside the campaign one and the others."""

from __future__ import annotations

from typing import Self

from domain.adapters.automation_repository import SqlAutomationRepository
from domain.adapters.campaigns_uow import SqlCampaignUnitOfWork
from domain.adapters.webhooks_repository import SqlWebhookRepository


class SqlWebhookUnitOfWork(SqlCampaignUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.webhooks = SqlWebhookRepository(self.session)
        self.automations = SqlAutomationRepository(self.session)
        return self
