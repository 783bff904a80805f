"""Payments and refunds as recorded from a provider (sandbox, Stripe, Telegram)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    EXPIRED = "expired"
    CLOSED = "closed"  # never paid: the order was paid through another payment first


class RefundStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    NEEDS_ACTION = "needs_action"  # the provider can't be asked: a person refunds by hand, then marks it done


class Payment:
    def __init__(
        self,
        order_id: int,
        provider: str,
        amount: int,
        currency: str,
        created_at: datetime,
        expires_at: datetime | None,
    ) -> None:
        self.id: int | None = None
        self.order_id = order_id
        self.provider = provider
        self.amount = amount
        self.currency = currency
        self.status = PaymentStatus.PENDING
        self.session_id: str | None = None
        self.url: str | None = None
        self.provider_payment_id: str | None = None
        self.failure_reason: str | None = None
        self.created_at = created_at
        self.expires_at = expires_at
        self.completed_at: datetime | None = None

    @property
    def is_final(self) -> bool:
        return self.status != PaymentStatus.PENDING


class Refund:
    def __init__(
        self,
        order_id: int,
        payment_id: int,
        amount: int,
        currency: str,
        reason: str,
        actor: str,
        at: datetime,
    ) -> None:
        self.id: int | None = None
        self.order_id = order_id
        self.payment_id = payment_id
        self.amount = amount
        self.currency = currency
        self.reason = reason
        self.actor = actor
        self.status = RefundStatus.PENDING
        self.request_key: str | None = None  # the caller's idempotency key (a double click refunds once)
        self.provider_refund_id: str | None = None
        self.failure_reason: str | None = None
        self.created_at = at
        self.completed_at: datetime | None = None
