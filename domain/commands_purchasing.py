"""Commands for purchasing and the warehouse's paperwork (issue 19). Each carries the actor the domain checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.commands import Command
from domain.model.staff import Actor


@dataclass(frozen=True)
class CreateSupplier(Command):
    """Returns the supplier's id."""

    name: str
    currency: str
    contact: str = ""
    lead_time_days: int = 7
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class POLineSpec:
    sku: str
    quantity: int
    unit_cost: int  # minor units of the supplier's currency


@dataclass(frozen=True)
class CreatePurchaseOrder(Command):
    """A draft purchase order in the supplier's currency; ``expected_on`` defaults to today plus the supplier's
    lead time. Returns its id."""

    supplier_id: int
    lines: tuple[POLineSpec, ...]
    expected_on: date | None = None
    note: str = ""
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class SendPurchaseOrder(Command):
    po_id: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class CancelPurchaseOrder(Command):
    po_id: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ReceivePurchaseOrder(Command):
    """Book a delivery in: ``quantities`` as (SKU, units) pairs, into ``warehouse`` and, when given, ``bin``
    (which becomes the SKU's bin there). Returns the order's new status.

    ``received_before``, when given, is the units the person saw as already received when they filled the form
    in: if more have been booked since (the same form posted twice, a double click), the delivery is refused
    with ``PurchaseOrderChanged`` rather than booked a second time."""

    po_id: int
    warehouse: str
    quantities: tuple[tuple[str, int], ...]
    bin: str = ""
    received_before: int | None = None
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class SetBinLocation(Command):
    """Where a SKU sits in a warehouse ("A-03-2"); pick lists are sorted by it. Returns the bin code."""

    sku: str
    warehouse: str
    bin: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class RecordDocumentsPrinted(Command):
    """A pick list or packing slip was printed for these orders: recorded on each order (and as the event
    ``OrderDocumentPrinted``) so its timeline says who printed what."""

    document: str  # pick_list | packing_slip
    order_ids: tuple[int, ...]
    warehouse: str = ""
    actor: Actor = field(kw_only=True)
