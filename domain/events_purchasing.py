"""Events of purchasing and the warehouse's paperwork (issue 19); registered with the others by subclassing."""

from __future__ import annotations

from dataclasses import dataclass

from domain.events import Event


@dataclass(frozen=True)
class PurchaseOrderSent(Event):
    po_id: int
    supplier_id: int
    actor: str


@dataclass(frozen=True)
class PurchaseOrderCancelled(Event):
    po_id: int
    actor: str


@dataclass(frozen=True)
class PurchaseOrderReceived(Event):
    """One delivery booked in; ``status`` is the order's status after it (partially_received or received)."""

    po_id: int
    warehouse: str
    units: int
    status: str
    actor: str


@dataclass(frozen=True)
class OrderDocumentPrinted(Event):
    """For the order's timeline: "pick list printed by otto" (``document``: pick_list or packing_slip)."""

    order_id: int
    document: str
    warehouse: str
    actor: str
