"""Commands the staff console added (issue 19): stock transfers between warehouses, notes on orders."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.commands import Command
from domain.model.staff import Actor


@dataclass(frozen=True)
class TransferStock(Command):
    """Move units of a SKU from one warehouse to another: two ledger rows in one transaction; never more than
    is available at the source. Returns the source's on-hand count afterwards."""

    sku: str
    source: str
    destination: str
    quantity: int
    reason: str = ""
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class AddOrderNote(Command):
    """A staff note on an order (a call with the shopper, a damaged box): kept in the order's timeline."""

    order_id: int
    text: str
    actor: Actor = field(kw_only=True)
