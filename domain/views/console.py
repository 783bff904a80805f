"""Read models the staff console adds to the admin views: an order's timeline, the stock board and a SKU's
ledger. Plain dataclasses; SQL in ``domain.adapters.console_views``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.model.inventory import is_low


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to an order: the domain event's name, when, who (a staff member's name,
    ``customer:7`` for the shopper, ``system``, or "" when a webhook or a job did it) and the event's fields."""

    at: datetime
    name: str
    actor: str
    details: dict[str, Any]


@dataclass(frozen=True)
class StockBoardRow:
    sku: str
    product: str
    warehouse: str
    on_hand: int
    reserved: int
    allocated: int
    available: int
    threshold: int
    total_available: int = 0  # over all the variant's warehouses: what ``low`` is judged on
    bin: str = ""  # where it sits in this warehouse ("" when no bin is set)

    @property
    def low(self) -> bool:
        return is_low(self.total_available, self.threshold)


@dataclass(frozen=True)
class LedgerEntry:
    id: int
    at: datetime
    sku: str
    warehouse: str
    kind: str
    d_on_hand: int
    d_reserved: int
    d_allocated: int
    reason: str
    order_id: int | None
    actor: str


@dataclass(frozen=True)
class LedgerFilter:
    sku: str
    warehouse: str | None = None
    kind: str | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class ConsentRow:
    purpose: str
    granted: bool
    source: str
    at: datetime


@dataclass(frozen=True)
class TicketRow:
    id: int
    status: str
    channel: str
    subject: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class QueueRow:
    """A ticket in the support queue, with its customer's name (as they gave it: escape it) and the last words."""

    id: int
    status: str
    channel: str
    subject: str
    customer_id: int
    customer_name: str
    assignee: str | None
    updated_at: datetime
    last_text: str


@dataclass(frozen=True)
class CustomerExtras:
    """What a customer's console page adds to ``CustomerProfile``: staff notes, every consent change (newest
    first) and their support tickets (most recently active first)."""

    notes: str
    consents: tuple[ConsentRow, ...]
    tickets: tuple[TicketRow, ...]


class ConsoleViews(Protocol):
    async def order_timeline(self, order_id: int) -> list[TimelineEntry]:
        """Oldest first."""
        ...

    async def stock_board(
        self, sku: str | None, warehouse: str | None, limit: int, bin: str | None = None, sort: str = "low"
    ) -> list[StockBoardRow]:
        """Levels per variant and warehouse with their bin. ``sort="low"``: low variants first (``is_low`` on the
        total), least available in total first, then by SKU; ``"bin"``: by bin code (no bin last), ``"sku"``.
        ``sku`` matches part of a SKU, ``bin`` the start of a bin code."""
        ...

    async def ledger(self, filters: LedgerFilter, limit: int) -> list[LedgerEntry]:
        """A SKU's ledger rows, newest first."""
        ...

    async def customer_extras(self, customer_id: int) -> CustomerExtras | None: ...

    async def support_queue(self, status: str | None, limit: int) -> list[QueueRow]:
        """Tickets (all when ``status`` is None), most recently active first."""
        ...

    async def warehouses(self) -> list[str]:
        """Codes of active warehouses."""
        ...
