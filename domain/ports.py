"""What the domain needs from the outside world, as small protocols."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    from domain.model.analytics import AnalyticsEvent


class Clock(Protocol):
    def now(self) -> datetime: ...


class AnalyticsSink(Protocol):
    """Where recorded analytics rows go when they need not be written in the command's own transaction:
    kept briefly and written in batches (``domain/adapters/analytics_buffer.py``)."""

    def add(self, events: Sequence[AnalyticsEvent]) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class PaymentLineItem:
    name: str
    quantity: int
    unit_amount: int


@dataclass(frozen=True)
class PaymentSessionRequest:
    order_id: int
    amount: int
    currency: str
    lines: tuple[PaymentLineItem, ...]
    expires_at: datetime
    idempotency_key: str
    success_url: str
    cancel_url: str
    customer_email: str | None = None


@dataclass(frozen=True)
class PaymentSession:
    session_id: str
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class RefundRequest:
    session_id: str
    provider_payment_id: str | None
    amount: int
    currency: str
    idempotency_key: str
    reason: str


@dataclass(frozen=True)
class RefundResult:
    refund_id: str
    succeeded: bool
    failure_reason: str | None = None


class PaymentProvider(Protocol):
    """A payment service. Calls happen outside any database transaction and carry idempotency keys."""

    name: str

    async def create_session(self, request: PaymentSessionRequest) -> PaymentSession: ...

    async def refund(self, request: RefundRequest) -> RefundResult: ...

    async def close_session(self, session_id: str) -> None:
        """Stop an open session from taking money (the order was paid another way). Idempotent; a session
        that already completed or expired is left as it is."""
        ...
