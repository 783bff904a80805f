"""Approval rules: which paid orders a person must look at before they are picked."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.model.money import Money
from domain.model.orders import Order


@dataclass(frozen=True)
class ApprovalPolicy:
    total_over: int | None = None  # minor units; orders above it need approval
    first_order: bool = False  # a customer's first paid order
    risky_countries: frozenset[str] = field(default_factory=frozenset)
    max_quantity: int | None = None  # units of one line

    @property
    def enabled(self) -> bool:
        return bool(self.total_over is not None or self.first_order or self.risky_countries or self.max_quantity)

    def reasons(self, order: Order, previous_paid_orders: int) -> list[str]:
        """Why this order needs a human, in words an approver reads; empty when it does not."""
        found: list[str] = []
        if self.total_over is not None and order.total > self.total_over:
            found.append(f"total {order.total_money} is above {Money(self.total_over, order.currency)}")
        if self.first_order and previous_paid_orders == 0:
            found.append("first order of this customer")
        country = str(order.shipping_address.get("country", "")).upper()
        if country and country in self.risky_countries:
            found.append(f"ships to {country}, a high-risk country")
        if self.max_quantity is not None:
            for line in order.lines:
                if line.quantity > self.max_quantity:
                    found.append(f"{line.quantity} × {line.sku} is more than {self.max_quantity}")
        return found
