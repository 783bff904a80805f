"""What every handler gets: a unit-of-work factory, the clock, shop configuration and ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from domain.model.approvals import ApprovalPolicy
from domain.ports import Clock, PaymentProvider, SystemClock
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

    def now(self) -> datetime:
        return self.clock.now()
