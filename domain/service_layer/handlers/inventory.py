"""Inventory commands: warehouses, receiving and adjusting stock, reserving and releasing it for orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain import commands as c
from domain import events
from domain.errors import NotFound, OutOfStock, ValidationFailed
from domain.model import Order, Reservation, StockLevel, StockMovement, Variant, Warehouse
from domain.model.inventory import ReservationStatus, WarehouseStock, is_low, plan_allocation
from domain.model.staff import Permission
from domain.service_layer.context import Context
from domain.service_layer.unit_of_work import UnitOfWork


async def create_warehouse(cmd: c.CreateWarehouse, ctx: Context) -> int:
    cmd.actor.require(Permission.ADJUST_STOCK)
    async with ctx.uow() as uow:
        warehouse = await uow.inventory.warehouse_by_code(cmd.code)
        if warehouse is None:
            warehouse = await uow.inventory.add_warehouse(Warehouse(cmd.code, cmd.name, cmd.priority, cmd.country))
        else:
            warehouse.name, warehouse.priority, warehouse.country = (
                cmd.name,
                cmd.priority,
                cmd.country.upper(),
            )
        await uow.commit()
        assert warehouse.id is not None
        return warehouse.id


async def _variant_and_warehouse(uow: UnitOfWork, sku: str, code: str) -> tuple[Variant, Warehouse]:
    variant = await uow.catalog.variant_by_sku(sku)
    if variant is None or variant.id is None:
        raise NotFound(f"No product with SKU {sku.strip().upper()}.")
    warehouse = await uow.inventory.warehouse_by_code(code)
    if warehouse is None or warehouse.id is None:
        raise NotFound(f"No warehouse {code.strip().upper()}.")
    return variant, warehouse


async def _change_stock(cmd: c.ReceiveStock | c.AdjustStock | c.CountStock, ctx: Context) -> int:
    cmd.actor.require(Permission.ADJUST_STOCK)
    async with ctx.uow() as uow:
        variant, warehouse = await _variant_and_warehouse(uow, cmd.sku, cmd.warehouse)
        assert variant.id is not None and warehouse.id is not None
        levels = await uow.inventory.lock_levels([variant.id])
        before = sum(level.available for level in levels)
        level = next((lv for lv in levels if lv.warehouse_id == warehouse.id), None)
        if level is None:
            level = await uow.inventory.lock_level(variant.id, warehouse.id)
        now = ctx.now()
        if isinstance(cmd, c.CountStock):
            if cmd.on_hand < 0:
                raise ValidationFailed("A counted quantity can't be negative.")
            if cmd.on_hand == level.on_hand:
                return level.on_hand  # counted as the books say: nothing to write
            movement = level.adjust(cmd.on_hand - level.on_hand, cmd.reason or "stock count", now, actor=cmd.actor.name)
        elif isinstance(cmd, c.ReceiveStock):
            movement = level.receive(cmd.quantity, now, cmd.reason, actor=cmd.actor.name)
        else:
            movement = level.adjust(cmd.delta, cmd.reason, now, actor=cmd.actor.name)
        await uow.inventory.add_movement(movement)
        delta = movement.d_on_hand
        uow.publish(
            events.StockChanged(
                variant.id, variant.sku, warehouse.id, movement.kind.value, delta, movement.reason, cmd.actor.name
            )
        )
        _maybe_low_stock(uow, variant, before, before + delta)
        _maybe_back_in_stock(uow, variant, before, before + delta)
        await uow.commit()
        return level.on_hand


async def receive_stock(cmd: c.ReceiveStock, ctx: Context) -> int:
    return await _change_stock(cmd, ctx)


async def adjust_stock(cmd: c.AdjustStock, ctx: Context) -> int:
    return await _change_stock(cmd, ctx)


async def count_stock(cmd: c.CountStock, ctx: Context) -> int:
    return await _change_stock(cmd, ctx)


def _maybe_low_stock(uow: UnitOfWork, variant: Variant, before: int, after: int) -> None:
    """Alert once, when availability over all warehouses crosses the threshold downwards (``is_low``)."""
    threshold = variant.low_stock_threshold
    if variant.id is not None and not is_low(before, threshold) and is_low(after, threshold):
        uow.publish(events.LowStock(variant.id, variant.sku, after, threshold))


def _maybe_back_in_stock(uow: UnitOfWork, variant: Variant, before: int, after: int) -> None:
    """Tell once, when availability crosses from nothing to something (back-in-stock notices listen)."""
    if variant.id is not None and before <= 0 < after:
        uow.publish(events.BackInStock(variant.id, variant.sku, after))


def _available(levels: list[StockLevel]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for level in levels:
        totals[level.variant_id] = totals.get(level.variant_id, 0) + level.available
    return totals


async def _publish_back_in_stock(uow: UnitOfWork, levels: list[StockLevel], before: dict[int, int]) -> None:
    after = _available(levels)
    back = [vid for vid, n in after.items() if before.get(vid, 0) <= 0 < n]
    if back:
        variants = await uow.catalog.variants(back)
        for vid in sorted(back):
            _maybe_back_in_stock(uow, variants[vid], before.get(vid, 0), after[vid])


@dataclass
class ReservationPlan:
    """Where a new order's units come from: the ledger rows and holds to write, and what each stock row
    reserves (by row id)."""

    movements: list[StockMovement] = field(default_factory=list)
    holds: list[Reservation] = field(default_factory=list)
    quantities: dict[int, int] = field(default_factory=dict)
    wanted: dict[int, int] = field(default_factory=dict)  # units by variant
    untouched: dict[int, int] = field(default_factory=dict)  # available by variant in rows not drawn from


def plan_reservation(
    order: Order,
    levels: list[StockLevel],
    warehouses: list[Warehouse],
    variants: dict[int, Variant],
    expires_at: datetime,
    now: datetime,
) -> ReservationPlan:
    """Hold stock for every line of a new order, split over warehouses when needed; OutOfStock if short.

    ``levels`` are copies of the stock rows (``stock_rows``): the plan changes them, and the caller writes
    the plan with ``take_reserved``, the one statement that holds the rows locked until the commit."""
    assert order.id is not None
    plan = ReservationPlan()
    for line in order.lines:
        plan.wanted[line.variant_id] = plan.wanted.get(line.variant_id, 0) + line.quantity
    # ``levels`` are the rows a checkout can sell from (``stock_rows``: those of active warehouses, the rows
    # the cart's stock guard counts too); the warehouses give their priorities.
    known = {w.id: w for w in warehouses}
    by_variant: dict[int, list[StockLevel]] = {}
    for level in levels:
        if level.warehouse_id in known:
            by_variant.setdefault(level.variant_id, []).append(level)
    for variant_id in sorted(plan.wanted):
        quantity = plan.wanted[variant_id]
        candidates = by_variant.get(variant_id, [])
        stock = [WarehouseStock(lv.warehouse_id, known[lv.warehouse_id].priority, lv.available) for lv in candidates]
        picks = plan_allocation(quantity, stock)
        if picks is None:
            raise OutOfStock(variants[variant_id].sku, quantity, sum(max(0, s.available) for s in stock))
        drawn = set()
        for pick in picks:
            level = next(lv for lv in candidates if lv.warehouse_id == pick.warehouse_id)
            assert level.id is not None
            plan.movements.append(level.reserve(pick.quantity, order.id, now))
            plan.holds.append(Reservation(order.id, variant_id, pick.warehouse_id, pick.quantity, expires_at))
            plan.quantities[level.id] = plan.quantities.get(level.id, 0) + pick.quantity
            drawn.add(level.id)
        plan.untouched[variant_id] = sum(lv.available for lv in candidates if lv.id not in drawn)
    return plan


def publish_low_stock(
    uow: UnitOfWork, plan: ReservationPlan, levels: list[StockLevel], variants: dict[int, Variant], left: dict[int, int]
) -> None:
    """After ``take_reserved``: alert for each variant whose availability crossed its threshold (``left``: the
    rows' availability as the statement left it)."""
    for variant_id, quantity in plan.wanted.items():
        after = plan.untouched[variant_id] + sum(
            left[lv.id] for lv in levels if lv.variant_id == variant_id and lv.id in left
        )
        _maybe_low_stock(uow, variants[variant_id], after + quantity, after)


async def release_holds(uow: UnitOfWork, order_id: int, reason: str, now: datetime) -> None:
    """Give back whatever the order still holds (reserved or allocated, not shipped)."""
    reservations = [
        r
        for r in await uow.inventory.reservations_of(order_id)
        if r.status in (ReservationStatus.ACTIVE, ReservationStatus.ALLOCATED)
    ]
    if not reservations:
        return
    locked = await uow.inventory.lock_levels([r.variant_id for r in reservations])
    before = _available(locked)
    levels = {(lv.variant_id, lv.warehouse_id): lv for lv in locked}
    for r in reservations:
        level = levels[(r.variant_id, r.warehouse_id)]
        if r.status == ReservationStatus.ACTIVE:
            movement = level.release(r.quantity, order_id, now, reason)
        else:
            movement = level.deallocate(r.quantity, order_id, now, reason)
        await uow.inventory.add_movement(movement)
        r.status = ReservationStatus.RELEASED
    await _publish_back_in_stock(uow, locked, before)


async def allocate_reserved(uow: UnitOfWork, order_id: int, now: datetime) -> None:
    """Payment arrived: reserved units become allocated and no longer expire."""
    reservations = [r for r in await uow.inventory.reservations_of(order_id) if r.status == ReservationStatus.ACTIVE]
    if not reservations:
        raise ValidationFailed(f"Order #{order_id} holds no reserved stock to allocate.")
    levels = {
        (lv.variant_id, lv.warehouse_id): lv
        for lv in await uow.inventory.lock_levels([r.variant_id for r in reservations])
    }
    for r in reservations:
        await uow.inventory.add_movement(levels[(r.variant_id, r.warehouse_id)].allocate(r.quantity, order_id, now))
        r.status = ReservationStatus.ALLOCATED
        r.expires_at = None


async def ship_allocated(uow: UnitOfWork, order_id: int, now: datetime) -> None:
    reservations = [r for r in await uow.inventory.reservations_of(order_id) if r.status == ReservationStatus.ALLOCATED]
    levels = {
        (lv.variant_id, lv.warehouse_id): lv
        for lv in await uow.inventory.lock_levels([r.variant_id for r in reservations])
    }
    for r in reservations:
        await uow.inventory.add_movement(levels[(r.variant_id, r.warehouse_id)].ship(r.quantity, order_id, now))
        r.status = ReservationStatus.SHIPPED


async def restock_returned(uow: UnitOfWork, order_id: int, now: datetime) -> None:
    """Put shipped units back into the warehouses they left from."""
    shipped = [r for r in await uow.inventory.reservations_of(order_id) if r.status == ReservationStatus.SHIPPED]
    if not shipped:
        return
    locked = await uow.inventory.lock_levels([r.variant_id for r in shipped])
    before = _available(locked)
    levels = {(lv.variant_id, lv.warehouse_id): lv for lv in locked}
    for r in shipped:
        level = levels.get((r.variant_id, r.warehouse_id))
        if level is None:
            level = await uow.inventory.lock_level(r.variant_id, r.warehouse_id)
            levels[(r.variant_id, r.warehouse_id)] = level
            locked.append(level)
        await uow.inventory.add_movement(level.restock_return(r.quantity, order_id, now))
    await _publish_back_in_stock(uow, locked, before)
