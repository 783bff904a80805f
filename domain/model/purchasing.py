"""Purchasing: suppliers, purchase orders and their state machine, bin codes and the weighted average cost.

A purchase order is drafted, sent to its supplier, received (in one or more deliveries) and is then done; it
can be cancelled until the first unit arrives. Costs are integer minor units in the supplier's currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain.errors import Conflict, IllegalTransition, ValidationFailed
from domain.model.money import exponent

MAX_LINES = 200
BIN_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")


def check_bin(code: str) -> str:
    """A bin code as printed on shelves ("A-03-2"): letters, digits and dashes, up to 20, upper-cased."""
    bin_code = code.strip().upper()
    if not BIN_PATTERN.match(bin_code):
        raise ValidationFailed(f"A bin code is letters, digits and dashes like A-03-2 (up to 20); not {code!r}.")
    return bin_code


def check_currency(code: str) -> str:
    currency = code.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationFailed(f"A currency is a three-letter code like USD; not {code!r}.")
    exponent(currency)  # refuses a currency we can't format
    return currency


class PurchaseOrderChanged(Conflict):
    """A delivery entered against an older picture of the purchase order: units were booked in since."""


class POStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PARTIALLY_RECEIVED = "partially_received"
    RECEIVED = "received"
    CANCELLED = "cancelled"


PO_TRANSITIONS: dict[POStatus, frozenset[POStatus]] = {
    POStatus.DRAFT: frozenset({POStatus.SENT, POStatus.CANCELLED}),
    POStatus.SENT: frozenset({POStatus.PARTIALLY_RECEIVED, POStatus.RECEIVED, POStatus.CANCELLED}),
    POStatus.PARTIALLY_RECEIVED: frozenset({POStatus.PARTIALLY_RECEIVED, POStatus.RECEIVED}),
    POStatus.RECEIVED: frozenset(),
    POStatus.CANCELLED: frozenset(),
}


class Supplier:
    def __init__(self, name: str, contact: str, lead_time_days: int, currency: str, created_at: datetime) -> None:
        if not name.strip():
            raise ValidationFailed("A supplier needs a name.")
        if not 0 <= lead_time_days <= 365:
            raise ValidationFailed("A lead time is between 0 and 365 days.")
        self.id: int | None = None
        self.name = name.strip()[:200]
        self.contact = contact.strip()[:500]
        self.lead_time_days = lead_time_days
        self.currency = check_currency(currency)
        self.created_at = created_at


@dataclass
class POLine:
    variant_id: int
    sku: str
    quantity: int
    unit_cost: int  # minor units of the order's currency
    received: int = 0
    id: int | None = None

    @property
    def outstanding(self) -> int:
        return self.quantity - self.received


@dataclass(frozen=True)
class Receipt:
    """Units of one line booked in by one delivery."""

    line_id: int
    variant_id: int
    quantity: int
    unit_cost: int


def reference(po_id: int) -> str:
    """How a purchase order is named on paper and in the stock ledger."""
    return f"PO-{po_id:06d}"


class PurchaseOrder:
    def __init__(
        self,
        supplier_id: int,
        currency: str,
        lines: list[POLine],
        expected_on: date | None,
        created_by: str,
        created_at: datetime,
        note: str = "",
    ) -> None:
        if not lines:
            raise ValidationFailed("A purchase order needs at least one line.")
        if len(lines) > MAX_LINES:
            raise ValidationFailed(f"A purchase order has at most {MAX_LINES} lines.")
        skus = [line.sku for line in lines]
        if len(set(skus)) != len(skus):
            raise ValidationFailed("Each SKU goes on one line of a purchase order.")
        for line in lines:
            if line.quantity <= 0:
                raise ValidationFailed(f"The quantity of {line.sku} must be positive.")
            if line.unit_cost < 0:
                raise ValidationFailed(f"The unit cost of {line.sku} can't be negative.")
        self.id: int | None = None
        self.supplier_id = supplier_id
        self.currency = check_currency(currency)
        self.lines = lines
        self.expected_on = expected_on
        self.status = POStatus.DRAFT
        self.note = note.strip()[:500]
        self.created_by = created_by
        self.created_at = created_at
        self.updated_at = created_at

    @property
    def ref(self) -> str:
        return reference(self.id) if self.id is not None else "PO (new)"

    def _become(self, target: POStatus, now: datetime) -> None:
        if target not in PO_TRANSITIONS[self.status]:
            raise IllegalTransition(self.ref, self.status.value, target.value, self._refusal(target))
        self.status = target
        self.updated_at = now

    def _refusal(self, target: POStatus) -> str:
        current = self.status.value.replace("_", " ")
        if target == POStatus.CANCELLED and self.status == POStatus.PARTIALLY_RECEIVED:
            return f"{self.ref} is partially received and can't be cancelled: goods have arrived against it."
        if target in (POStatus.PARTIALLY_RECEIVED, POStatus.RECEIVED):
            if self.status == POStatus.DRAFT:
                return f"{self.ref} is a draft: send it to the supplier before receiving against it."
            return f"{self.ref} is {current}: nothing more can be received against it."
        return f"{self.ref} is {current} and can't become {target.value.replace('_', ' ')}."

    def send(self, now: datetime) -> None:
        self._become(POStatus.SENT, now)

    def cancel(self, now: datetime) -> None:
        self._become(POStatus.CANCELLED, now)

    @property
    def units_received(self) -> int:
        return sum(line.received for line in self.lines)

    def receive(self, quantities: dict[int, int], now: datetime, received_before: int | None = None) -> list[Receipt]:
        """Book in ``quantities`` (units by line id); refuses more than is outstanding on a line, and, with
        ``received_before``, a delivery entered when fewer units had been received than now (posted twice)."""
        if received_before is not None and received_before != self.units_received:
            raise PurchaseOrderChanged(
                f"{self.ref} changed since this delivery was entered: {self.units_received} units are received now, "
                f"{received_before} were then (was the form sent twice?). Nothing was booked; check the lines."
            )
        if POStatus.RECEIVED not in PO_TRANSITIONS[self.status]:
            raise IllegalTransition(
                self.ref, self.status.value, POStatus.RECEIVED.value, self._refusal(POStatus.RECEIVED)
            )
        wanted = {line_id: n for line_id, n in quantities.items() if n != 0}
        if not wanted:
            raise ValidationFailed("Enter the quantity received on at least one line.")
        by_id = {line.id: line for line in self.lines}
        receipts: list[Receipt] = []
        for line_id, quantity in sorted(wanted.items()):
            line = by_id.get(line_id)
            if line is None:
                raise ValidationFailed(f"{self.ref} has no line {line_id}.")
            if quantity < 0:
                raise ValidationFailed(f"A received quantity can't be negative ({line.sku}).")
            if quantity > line.outstanding:
                raise ValidationFailed(
                    f"{line.sku}: {quantity} received but only {line.outstanding} of {line.quantity} outstanding."
                )
            receipts.append(Receipt(line_id, line.variant_id, quantity, line.unit_cost))
        done = all(line.outstanding - wanted.get(line.id or 0, 0) == 0 for line in self.lines)
        self._become(POStatus.RECEIVED if done else POStatus.PARTIALLY_RECEIVED, now)
        for receipt in receipts:
            by_id[receipt.line_id].received += receipt.quantity
        return receipts


def weighted_average(on_hand: int, average: int, quantity: int, unit_cost: int) -> int:
    """The average unit cost after ``quantity`` units at ``unit_cost`` join ``on_hand`` units at ``average``,
    rounded half up to a minor unit. Units already gone (on hand at or below zero) carry no value."""
    if quantity <= 0:
        raise ValidationFailed("Received quantity must be positive.")
    held = max(on_hand, 0)
    total = held + quantity
    return (held * average + quantity * unit_cost + total // 2) // total


@dataclass
class StockCost:
    """The weighted average unit cost of one variant in one warehouse."""

    variant_id: int
    warehouse_id: int
    currency: str
    unit_cost: int

    def receive(self, on_hand_before: int, quantity: int, unit_cost: int, currency: str) -> None:
        if currency != self.currency:
            raise ValidationFailed(
                f"This stock is valued in {self.currency}; a receipt at a cost in {currency} can't join its average."
            )
        self.unit_cost = weighted_average(on_hand_before, self.unit_cost, quantity, unit_cost)
