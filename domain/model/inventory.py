"""Inventory: warehouses, stock per (variant, warehouse), reservations and a ledger of every movement.

Each ``StockLevel`` keeps three counters; available = on_hand - reserved - allocated. Every change goes
through a method here that also returns the ``StockMovement`` recording its deltas, so the sum of the
ledger always equals the counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import ValidationFailed


def is_low(available: int, threshold: int) -> bool:
    """A variant is low when the units available over all its warehouses are below its threshold: the rule of
    the ``LowStock`` alert and of the console's stock board alike. The total, not each warehouse's share,
    because a checkout allocates from whichever warehouse can ship: a SKU short in one warehouse and plentiful
    in another is not short for shoppers, and flagging it would cry wolf next to the alert staff act on."""
    return available < threshold


class MovementKind(StrEnum):
    RECEIVE = "receive"
    ADJUST = "adjust"
    RESERVE = "reserve"
    RELEASE = "release"
    ALLOCATE = "allocate"
    DEALLOCATE = "deallocate"
    SHIP = "ship"
    RETURN = "return"
    TRANSFER = "transfer"  # units moved between warehouses: a row out of one, a row into the other


class ReservationStatus(StrEnum):
    ACTIVE = "active"  # held at checkout, expires
    ALLOCATED = "allocated"  # order paid: held until shipped, no expiry
    RELEASED = "released"  # expired, cancelled or payment failed
    SHIPPED = "shipped"


class Warehouse:
    def __init__(self, code: str, name: str, priority: int = 100, country: str = "US", active: bool = True) -> None:
        if not code.strip():
            raise ValidationFailed("A warehouse needs a code.")
        self.id: int | None = None
        self.code = code.strip().upper()
        self.name = name
        self.priority = priority
        self.country = country.upper()
        self.active = active


class StockMovement:
    def __init__(
        self,
        variant_id: int,
        warehouse_id: int,
        kind: MovementKind,
        d_on_hand: int,
        d_reserved: int,
        d_allocated: int,
        at: datetime,
        reason: str = "",
        order_id: int | None = None,
        actor: str = "",
    ) -> None:
        self.id: int | None = None
        self.variant_id = variant_id
        self.warehouse_id = warehouse_id
        self.kind = kind
        self.d_on_hand = d_on_hand
        self.d_reserved = d_reserved
        self.d_allocated = d_allocated
        self.reason = reason
        self.order_id = order_id
        self.actor = actor
        self.created_at = at


class StockLevel:
    def __init__(self, variant_id: int, warehouse_id: int) -> None:
        self.id: int | None = None
        self.variant_id = variant_id
        self.warehouse_id = warehouse_id
        self.on_hand = 0
        self.reserved = 0
        self.allocated = 0

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved - self.allocated

    def _move(
        self,
        kind: MovementKind,
        at: datetime,
        d_on: int = 0,
        d_res: int = 0,
        d_alloc: int = 0,
        reason: str = "",
        order_id: int | None = None,
        actor: str = "",
    ) -> StockMovement:
        on_hand, reserved, allocated = self.on_hand + d_on, self.reserved + d_res, self.allocated + d_alloc
        if min(on_hand, reserved, allocated) < 0 or on_hand - reserved - allocated < 0:
            raise ValidationFailed(
                f"Stock can't go below what is held: on hand {on_hand}, reserved {reserved}, allocated {allocated}."
            )
        self.on_hand, self.reserved, self.allocated = on_hand, reserved, allocated
        return StockMovement(
            self.variant_id, self.warehouse_id, kind, d_on, d_res, d_alloc, at, reason, order_id, actor
        )

    def receive(self, quantity: int, at: datetime, reason: str = "", actor: str = "") -> StockMovement:
        if quantity <= 0:
            raise ValidationFailed("Received quantity must be positive.")
        return self._move(MovementKind.RECEIVE, at, d_on=quantity, reason=reason or "received", actor=actor)

    def adjust(self, delta: int, reason: str, at: datetime, actor: str = "") -> StockMovement:
        if delta == 0:
            raise ValidationFailed("An adjustment needs a non-zero delta.")
        if not reason.strip():
            raise ValidationFailed("Say why stock is adjusted (count, damage, theft…).")
        return self._move(MovementKind.ADJUST, at, d_on=delta, reason=reason.strip(), actor=actor)

    def transfer_out(self, quantity: int, to: str, at: datetime, reason: str = "", actor: str = "") -> StockMovement:
        """Units leaving for another warehouse: only what is available here (not what orders hold)."""
        if quantity <= 0:
            raise ValidationFailed("A transfer moves a positive number of units.")
        if quantity > self.available:
            raise ValidationFailed(f"Only {max(self.available, 0)} available to transfer; asked for {quantity}.")
        why = f"transfer to {to}" + (f": {reason.strip()}" if reason.strip() else "")
        return self._move(MovementKind.TRANSFER, at, d_on=-quantity, reason=why[:200], actor=actor)

    def transfer_in(self, quantity: int, source: str, at: datetime, reason: str = "", actor: str = "") -> StockMovement:
        why = f"transfer from {source}" + (f": {reason.strip()}" if reason.strip() else "")
        return self._move(MovementKind.TRANSFER, at, d_on=quantity, reason=why[:200], actor=actor)

    def reserve(self, quantity: int, order_id: int, at: datetime) -> StockMovement:
        return self._move(MovementKind.RESERVE, at, d_res=quantity, order_id=order_id, reason="checkout")

    def release(self, quantity: int, order_id: int, at: datetime, reason: str) -> StockMovement:
        return self._move(MovementKind.RELEASE, at, d_res=-quantity, order_id=order_id, reason=reason)

    def allocate(self, quantity: int, order_id: int, at: datetime) -> StockMovement:
        return self._move(
            MovementKind.ALLOCATE, at, d_res=-quantity, d_alloc=quantity, order_id=order_id, reason="paid"
        )

    def deallocate(self, quantity: int, order_id: int, at: datetime, reason: str) -> StockMovement:
        return self._move(MovementKind.DEALLOCATE, at, d_alloc=-quantity, order_id=order_id, reason=reason)

    def ship(self, quantity: int, order_id: int, at: datetime) -> StockMovement:
        return self._move(MovementKind.SHIP, at, d_on=-quantity, d_alloc=-quantity, order_id=order_id, reason="shipped")

    def restock_return(self, quantity: int, order_id: int, at: datetime) -> StockMovement:
        return self._move(MovementKind.RETURN, at, d_on=quantity, order_id=order_id, reason="returned")


class Reservation:
    """Units of one variant held in one warehouse for one order."""

    def __init__(
        self, order_id: int, variant_id: int, warehouse_id: int, quantity: int, expires_at: datetime | None
    ) -> None:
        self.id: int | None = None
        self.order_id = order_id
        self.variant_id = variant_id
        self.warehouse_id = warehouse_id
        self.quantity = quantity
        self.expires_at = expires_at
        self.status = ReservationStatus.ACTIVE


@dataclass(frozen=True)
class Pick:
    warehouse_id: int
    quantity: int


@dataclass(frozen=True)
class WarehouseStock:
    warehouse_id: int
    priority: int
    available: int


def plan_allocation(quantity: int, stock: list[WarehouseStock]) -> list[Pick] | None:
    """Choose warehouses for ``quantity`` units, or None when there are not enough in all of them.

    One warehouse that can ship everything is preferred (fewer parcels), taken by priority then most stock;
    otherwise the quantity is split greedily in the same order.
    """
    if quantity <= 0:
        raise ValidationFailed("Quantity must be positive.")
    usable = sorted((s for s in stock if s.available > 0), key=lambda s: (s.priority, -s.available, s.warehouse_id))
    if sum(s.available for s in usable) < quantity:
        return None
    for s in usable:
        if s.available >= quantity:
            return [Pick(s.warehouse_id, quantity)]
    picks: list[Pick] = []
    remaining = quantity
    for s in usable:
        take = min(s.available, remaining)
        picks.append(Pick(s.warehouse_id, take))
        remaining -= take
        if remaining == 0:
            break
    return picks
