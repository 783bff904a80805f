"""The SQLAlchemy unit of work: a session per command, outbox rows inserted in the same transaction."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any, Self

from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.acting import current_actor
from domain.adapters import orm
from domain.adapters.automation_repository import SqlAutomationRepository
from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.adapters.catalog_projection import CatalogProjection
from domain.adapters.customer_changes import CLOCK
from domain.adapters.orm_console_more import order_events
from domain.adapters.outbox import mark_processed
from domain.adapters.purchasing_repository import SqlPurchasingRepository
from domain.adapters.reorder_repository import SqlReorderRepository
from domain.adapters.repositories import (
    SqlCatalogRepository,
    SqlCustomerRepository,
    SqlInventoryRepository,
    SqlSalesRepository,
    SqlSupportRepository,
)
from domain.adapters.webhooks_repository import SqlWebhookRepository
from domain.causation import current_cause_depth
from domain.errors import Conflict
from domain.events import Event
from domain.observability import current_turn_id
from domain.ports import Clock
from domain.service_layer.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# PostgreSQL SQLSTATEs worth retrying the whole command for: serialization failure and deadlock.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}


def translate_db_error(exc: BaseException) -> BaseException:
    if isinstance(exc, IntegrityError):
        # The database's own words name tables and key values: they go to the log, never to a shopper.
        log.info("integrity conflict, the command will be retried: %s", exc.orig)
        return Conflict("That changed at the same time elsewhere; please try again.")
    if isinstance(exc, DBAPIError):
        sqlstate = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
        if sqlstate in _RETRYABLE_SQLSTATES or "database is locked" in str(exc.orig):
            return Conflict("The shop is busy; please try again.")
    return exc


def order_history(pending: list[Event], now: datetime) -> list[dict[str, Any]]:
    """The timeline rows of the events that name an order: who did it is the event's own actor, else the actor
    of the command at work (a shopper paying, staff packing), else nobody we know of (a webhook, a job)."""
    rows = []
    for e in pending:
        order_id = getattr(e, "order_id", None)
        if isinstance(order_id, int):
            payload = e.to_dict()
            actor = str(payload.get("actor") or current_actor())[:120]
            rows.append({"order_id": order_id, "name": e.name, "actor": actor, "payload": payload, "occurred_at": now})
    return rows


class SqlUnitOfWork(UnitOfWork):
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], clock: Clock, catalog: CatalogProjection | None = None
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._catalog = catalog  # the views' catalog in memory, shared: pricing reads come from it
        self._pending: list[Event] = []
        self._later: list[tuple[Event, datetime]] = []

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self.session.sync_session.info[CLOCK] = self._clock  # customers.updated_at (customer_changes.py)
        self.catalog = SqlCatalogRepository(self.session, self._catalog)
        self.inventory = SqlInventoryRepository(self.session)
        self.customers = SqlCustomerRepository(self.session)
        self.sales = SqlSalesRepository(self.session)
        self.support = SqlSupportRepository(self.session)
        self.purchasing = SqlPurchasingRepository(self.session)
        self.reorder = SqlReorderRepository(self.session)
        self.campaigns = SqlCampaignRepository(self.session)
        self.webhooks = SqlWebhookRepository(self.session)
        self.automations = SqlAutomationRepository(self.session)
        self._pending = []
        self._later = []
        await self.session.begin()
        if self.read_only:  # read by the SQLite "begin" listener (domain/adapters/db.py): a deferred BEGIN
            await self.session.connection(execution_options={"sqlite_readonly": True})
        return self

    async def __aexit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        try:
            await self.rollback()
        finally:
            self.read_only = False
            await self.session.close()
        if exc is not None:
            translated = translate_db_error(exc)
            if translated is not exc:
                raise translated from exc

    def publish(self, *events: Event) -> None:
        self._pending.extend(events)

    def publish_later(self, at: datetime, *events: Event) -> None:
        """Like ``publish``, but the outbox delivers them from ``at`` on (a retry that waits)."""
        self._later.extend((event, at) for event in events)

    async def flush(self) -> None:
        try:
            await self.session.flush()
        except DBAPIError as exc:
            raise translate_db_error(exc) from exc

    async def write_events(self) -> None:
        now = self._clock.now()
        if self._pending or self._later:
            depth = current_cause_depth() if self.cause_depth is None else self.cause_depth
            rows = [
                {
                    "event_id": str(uuid.uuid4()),
                    "name": e.name,
                    "payload": e.to_dict(),
                    "created_at": now,
                    "available_at": at,
                    "attempts": 0,
                    "turn_id": current_turn_id(),
                    "cause_depth": depth,
                }
                for e, at in [*((e, now) for e in self._pending), *self._later]
            ]
            await self.session.execute(insert(orm.outbox), rows)
            history = order_history(self._pending, now)
            if history:
                await self.session.execute(insert(order_events), history)
            self._pending, self._later = [], []

    async def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a unit of work opened with reading() cannot commit")
        await self.write_events()
        try:
            await self.session.commit()
        except DBAPIError as exc:
            raise translate_db_error(exc) from exc

    async def rollback(self) -> None:
        self._pending, self._later = [], []
        if self.session.in_transaction():
            await self.session.rollback()

    async def claim_once(self, consumer: str, message_id: str) -> bool:
        return await mark_processed(self.session, consumer, message_id, self._clock.now())
