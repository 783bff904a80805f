"""What every handler gets: a unit-of-work factory, the clock, shop configuration and ports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from domain.model.approvals import ApprovalPolicy
from domain.ports import AnalyticsSink, Clock, PaymentProvider, SystemClock
from domain.service_layer.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ShopConfig:
    currency: str = "USD"
    tax_rate_bp: int = 0
    reservation_minutes: int = 15
    base_url: str = "http://127.0.0.1:8080"


@dataclass
class Context:
    uow: Callable[[], UnitOfWork]
    payments: PaymentProvider
    config: ShopConfig = field(default_factory=ShopConfig)
    clock: Clock = field(default_factory=SystemClock)
    approvals: ApprovalPolicy = field(default_factory=ApprovalPolicy)
    # Every provider that may hold money of ours, by name: refunds and session closes go to the provider
    # that took the payment, whichever one new payments use today. A name missing here (Telegram's
    # in-chat payments) cannot be asked: its refunds need a person.
    providers: Mapping[str, PaymentProvider] = field(default_factory=dict)
    # A shopper turn's analytics (RecordAnalyticsBatch) go here when set, written in batches rather than
    # in a transaction of their own per turn; None: written at once (tests with fakes, one-off scripts).
    analytics: AnalyticsSink | None = None

    def now(self) -> datetime:
        return self.clock.now()

    def provider(self, name: str) -> PaymentProvider | None:
        """The provider that took a payment, if the shop can talk to it."""
        if name == self.payments.name:
            return self.payments
        return self.providers.get(name)
