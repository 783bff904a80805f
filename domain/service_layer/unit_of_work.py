"""The unit of work: one transaction per command, events written to the outbox inside it."""

from __future__ import annotations

import abc
from datetime import datetime
from types import TracebackType
from typing import Self

from domain.events import Event
from domain.repositories import (
    AutomationRepository,
    CampaignRepository,
    CatalogRepository,
    CustomerRepository,
    InventoryRepository,
    PurchasingRepository,
    ReorderRepository,
    SalesRepository,
    SupportRepository,
    WebhookRepository,
)


class UnitOfWork(abc.ABC):
    catalog: CatalogRepository
    inventory: InventoryRepository
    customers: CustomerRepository
    sales: SalesRepository
    support: SupportRepository
    campaigns: CampaignRepository
    purchasing: PurchasingRepository
    webhooks: WebhookRepository  # subscriptions and their deliveries; also finds orders by tracking number
    automations: AutomationRepository
    reorder: ReorderRepository  # where SKUs are bought, and reorder forms already drafted
    read_only: bool = False
    # The automation depth written with the events (domain/causation.py); None: that of the event being
    # handled (0 for a person's command). An automation rule's run sets the triggering event's + 1.
    cause_depth: int | None = None

    def reading(self) -> Self:
        """Use this unit of work only to look: it takes no write lock (a deferred transaction on SQLite, where
        every other unit of work takes the database's one write lock up front) and refuses to commit."""
        self.read_only = True
        return self

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Anything not committed explicitly is rolled back: a handler that raises changes nothing.
        await self.rollback()

    @abc.abstractmethod
    async def commit(self) -> None: ...

    @abc.abstractmethod
    async def rollback(self) -> None: ...

    @abc.abstractmethod
    async def flush(self) -> None:
        """Send pending changes so new rows get their ids (inside the same transaction)."""

    @abc.abstractmethod
    def publish(self, *events: Event) -> None:
        """Queue events into the outbox; they are stored by the same commit as the change."""

    @abc.abstractmethod
    def publish_later(self, at: datetime, *events: Event) -> None:
        """Like ``publish``, but the outbox delivers them from ``at`` on (a retry that waits)."""

    @abc.abstractmethod
    async def write_events(self) -> None:
        """Store the events published so far in the outbox now, in this transaction (the commit stores any
        published later): a handler that locks hot rows writes its events before taking the lock."""

    @abc.abstractmethod
    async def claim_once(self, consumer: str, message_id: str) -> bool:
        """Record that ``consumer`` handled ``message_id`` in this transaction; False if it already had."""
