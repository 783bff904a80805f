"""The SQLAlchemy unit of work: a session per command, outbox rows inserted in the same transaction."""

from __future__ import annotations

import logging
import uuid
from typing import Self

from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.campaigns_repository import SqlCampaignRepository
from domain.adapters.repositories import (
    SqlCatalogRepository,
    SqlCustomerRepository,
    SqlInventoryRepository,
    SqlSalesRepository,
    SqlSupportRepository,
)
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


class SqlUnitOfWork(UnitOfWork):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock
        self._pending: list[Event] = []

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self.catalog = SqlCatalogRepository(self.session)
        self.inventory = SqlInventoryRepository(self.session)
        self.customers = SqlCustomerRepository(self.session)
        self.sales = SqlSalesRepository(self.session)
        self.support = SqlSupportRepository(self.session)
        self.campaigns = SqlCampaignRepository(self.session)
        self._pending = []
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

    async def flush(self) -> None:
        try:
            await self.session.flush()
        except DBAPIError as exc:
            raise translate_db_error(exc) from exc

    async def write_events(self) -> None:
        now = self._clock.now()
        if self._pending:
            rows = [
                {
                    "event_id": str(uuid.uuid4()),
                    "name": e.name,
                    "payload": e.to_dict(),
                    "created_at": now,
                    "available_at": now,
                    "attempts": 0,
                    "turn_id": current_turn_id(),
                }
                for e in self._pending
            ]
            await self.session.execute(insert(orm.outbox), rows)
            self._pending = []

    async def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a unit of work opened with reading() cannot commit")
        await self.write_events()
        try:
            await self.session.commit()
        except DBAPIError as exc:
            raise translate_db_error(exc) from exc

    async def rollback(self) -> None:
        self._pending = []
        if self.session.in_transaction():
            await self.session.rollback()

    async def claim_once(self, consumer: str, message_id: str) -> bool:
        row = {"consumer": consumer, "message_id": message_id[:255], "processed_at": self._clock.now()}
        try:
            async with self.session.begin_nested():
                await self.session.execute(insert(orm.processed_messages).values(**row))
        except IntegrityError:
            return False
        return True
