"""Carts: one per customer, lines by variant and quantity; prices are looked up at checkout."""

from __future__ import annotations

from datetime import datetime

from domain.errors import ValidationFailed

MAX_LINE_QUANTITY = 99
MAX_LINES = 50


class CartLine:
    def __init__(self, variant_id: int, quantity: int) -> None:
        self.id: int | None = None
        self.cart_id: int | None = None
        self.variant_id = variant_id
        self.quantity = quantity


class Cart:
    def __init__(self, customer_id: int, currency: str, updated_at: datetime) -> None:
        self.id: int | None = None
        self.customer_id = customer_id
        self.currency = currency
        self.coupon_code: str | None = None
        self.updated_at = updated_at
        self.lines: list[CartLine] = []

    def line_for(self, variant_id: int) -> CartLine | None:
        return next((line for line in self.lines if line.variant_id == variant_id), None)

    def quantity_of(self, variant_id: int) -> int:
        line = self.line_for(variant_id)
        return line.quantity if line else 0

    def add(self, variant_id: int, quantity: int, at: datetime) -> CartLine:
        if quantity <= 0:
            raise ValidationFailed("Add at least one.")
        line = self.set_quantity(variant_id, self.quantity_of(variant_id) + quantity, at)
        assert line is not None  # quantity is positive, so the line exists
        return line

    def set_quantity(self, variant_id: int, quantity: int, at: datetime) -> CartLine | None:
        if quantity < 0:
            raise ValidationFailed("A quantity can't be negative.")
        if quantity > MAX_LINE_QUANTITY:
            raise ValidationFailed(f"At most {MAX_LINE_QUANTITY} of one item per order.")
        line = self.line_for(variant_id)
        self.updated_at = at
        if quantity == 0:
            if line is not None:
                self.lines.remove(line)
            return None
        if line is None:
            if len(self.lines) >= MAX_LINES:
                raise ValidationFailed(f"A cart holds at most {MAX_LINES} different items.")
            line = CartLine(variant_id, quantity)
            self.lines.append(line)
        else:
            line.quantity = quantity
        return line

    def remove(self, variant_id: int, at: datetime) -> None:
        self.set_quantity(variant_id, 0, at)

    def clear(self, at: datetime) -> None:
        self.lines.clear()
        self.coupon_code = None
        self.updated_at = at

    def restore_line(self, variant_id: int, quantity: int, at: datetime) -> None:
        """Put back a line of an order that ended unpaid, as far as the cart's limits allow (never raises:
        the order is over either way, and what fits is better than nothing)."""
        wanted = min(MAX_LINE_QUANTITY, max(self.quantity_of(variant_id), quantity))
        if wanted <= 0 or (self.line_for(variant_id) is None and len(self.lines) >= MAX_LINES):
            return
        self.set_quantity(variant_id, wanted, at)

    def merge(self, other: Cart, at: datetime) -> None:
        """Fold another cart into this one (identity link): quantities add up, capped per line."""
        for line in list(other.lines):
            self.set_quantity(
                line.variant_id, min(MAX_LINE_QUANTITY, self.quantity_of(line.variant_id) + line.quantity), at
            )
        self.coupon_code = self.coupon_code or other.coupon_code
        other.clear(at)

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)
