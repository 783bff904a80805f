"""Purchasing commands: suppliers, purchase orders, receiving against them, bin locations, printed paperwork.

The repository comes with every SQL unit of work (``uow.purchasing``, see ``domain/adapters/unit_of_work.py``).
Receiving books stock in exactly as ``ReceiveStock`` does (ledger rows of kind receive, ``StockChanged``,
``LowStock``/``BackInStock`` when availability crosses), in the same transaction as the PO and average cost.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain import commands_purchasing as p
from domain import events
from domain import events_purchasing as pe
from domain.errors import NotFound, ValidationFailed
from domain.model.purchasing import POLine, PurchaseOrder, StockCost, Supplier, check_bin, reference
from domain.model.staff import Permission
from domain.repositories import PurchasingRepository
from domain.service_layer.context import Context
from domain.service_layer.handlers.inventory import (
    _available,
    _maybe_back_in_stock,
    _maybe_low_stock,
    _variant_and_warehouse,
)

DOCUMENTS = ("pick_list", "packing_slip")
MAX_PRINTED_ORDERS = 200


async def create_supplier(cmd: p.CreateSupplier, ctx: Context) -> int:
    cmd.actor.require(Permission.MANAGE_PURCHASING)
    supplier = Supplier(cmd.name, cmd.contact, cmd.lead_time_days, cmd.currency, ctx.now())
    async with ctx.uow() as uow:
        supplier_id = await uow.purchasing.add_supplier(supplier)
        await uow.commit()
    return supplier_id


async def create_purchase_order(cmd: p.CreatePurchaseOrder, ctx: Context) -> int:
    cmd.actor.require(Permission.MANAGE_PURCHASING)
    async with ctx.uow() as uow:
        repo = uow.purchasing
        supplier = await repo.supplier(cmd.supplier_id)
        if supplier is None:
            raise NotFound(f"There is no supplier {cmd.supplier_id}.")
        lines = []
        for spec in cmd.lines:
            variant = await uow.catalog.variant_by_sku(spec.sku)
            if variant is None or variant.id is None:
                raise NotFound(f"No product with SKU {spec.sku.strip().upper()}.")
            lines.append(POLine(variant.id, variant.sku, spec.quantity, spec.unit_cost))
        now = ctx.now()
        expected = cmd.expected_on or (now.date() + timedelta(days=supplier.lead_time_days))
        po = PurchaseOrder(supplier.id or 0, supplier.currency, lines, expected, cmd.actor.name, now, cmd.note)
        po_id = await repo.add_po(po)
        await uow.commit()
    return po_id


async def _po(repo: PurchasingRepository, po_id: int) -> PurchaseOrder:
    po = await repo.po(po_id, lock=True)
    if po is None:
        raise NotFound(f"There is no purchase order {reference(po_id)}.")
    return po


async def send_purchase_order(cmd: p.SendPurchaseOrder, ctx: Context) -> str:
    cmd.actor.require(Permission.MANAGE_PURCHASING)
    async with ctx.uow() as uow:
        repo = uow.purchasing
        po = await _po(repo, cmd.po_id)
        po.send(ctx.now())
        await repo.save_po(po)
        uow.publish(pe.PurchaseOrderSent(cmd.po_id, po.supplier_id, cmd.actor.name))
        await uow.commit()
    return po.status.value


async def cancel_purchase_order(cmd: p.CancelPurchaseOrder, ctx: Context) -> str:
    cmd.actor.require(Permission.MANAGE_PURCHASING)
    async with ctx.uow() as uow:
        repo = uow.purchasing
        po = await _po(repo, cmd.po_id)
        po.cancel(ctx.now())
        await repo.save_po(po)
        uow.publish(pe.PurchaseOrderCancelled(cmd.po_id, cmd.actor.name))
        await uow.commit()
    return po.status.value


def _quantities(po: PurchaseOrder, pairs: tuple[tuple[str, int], ...]) -> dict[int, int]:
    by_sku = {line.sku: line.id for line in po.lines if line.id is not None}
    quantities: dict[int, int] = {}
    for sku, quantity in pairs:
        line_id = by_sku.get(sku.strip().upper())
        if line_id is None:
            raise ValidationFailed(f"{po.ref} has no line for {sku.strip().upper()}.")
        quantities[line_id] = quantities.get(line_id, 0) + quantity
    return quantities


async def receive_purchase_order(cmd: p.ReceivePurchaseOrder, ctx: Context) -> str:
    cmd.actor.require(Permission.MANAGE_PURCHASING)
    bin_code = check_bin(cmd.bin) if cmd.bin.strip() else ""
    async with ctx.uow() as uow:
        repo = uow.purchasing
        warehouse = await uow.inventory.warehouse_by_code(cmd.warehouse)
        if warehouse is None or warehouse.id is None:
            raise NotFound(f"No warehouse {cmd.warehouse.strip().upper()}.")
        po = await _po(repo, cmd.po_id)
        assert po.id is not None
        now = ctx.now()
        receipts = po.receive(_quantities(po, cmd.quantities), now, cmd.received_before)
        variant_ids = sorted({r.variant_id for r in receipts})
        variants = await uow.catalog.variants(variant_ids)
        # Stock rows locked in id order, as every other stock writer does; the average costs are read under them.
        locked = await uow.inventory.lock_levels(variant_ids)
        before = _available(locked)
        levels = {lv.variant_id: lv for lv in locked if lv.warehouse_id == warehouse.id}
        ref = reference(po.id)
        for receipt in receipts:
            level = levels.get(receipt.variant_id)
            if level is None:
                level = levels[receipt.variant_id] = await uow.inventory.lock_level(receipt.variant_id, warehouse.id)
            cost = await repo.cost(receipt.variant_id, warehouse.id)
            new = cost is None
            if cost is None:  # the first known cost: units booked in before purchasing existed take it too
                cost = StockCost(receipt.variant_id, warehouse.id, po.currency, receipt.unit_cost)
            else:
                cost.receive(level.on_hand, receipt.quantity, receipt.unit_cost, po.currency)
            await repo.save_cost(cost, now, new)
            movement = level.receive(receipt.quantity, now, ref, actor=cmd.actor.name)
            await uow.inventory.add_movement(movement)
            variant = variants[receipt.variant_id]
            uow.publish(
                events.StockChanged(
                    receipt.variant_id,
                    variant.sku,
                    warehouse.id,
                    movement.kind.value,
                    receipt.quantity,
                    ref,
                    cmd.actor.name,
                )
            )
            if bin_code:
                await repo.set_bin(receipt.variant_id, warehouse.id, bin_code, now)
        # The same once-only alerts as ReceiveStock, on availability over all warehouses before and after.
        after = _available(list(levels.values()) + [lv for lv in locked if lv.warehouse_id != warehouse.id])
        for vid in variant_ids:
            _maybe_low_stock(uow, variants[vid], before.get(vid, 0), after[vid])
            _maybe_back_in_stock(uow, variants[vid], before.get(vid, 0), after[vid])
        await repo.add_receipts(po.id, warehouse.id, bin_code, receipts, cmd.actor.name, now)
        await repo.save_po(po)
        units = sum(r.quantity for r in receipts)
        uow.publish(pe.PurchaseOrderReceived(po.id, warehouse.code, units, po.status.value, cmd.actor.name))
        await uow.commit()
    return po.status.value


async def set_bin_location(cmd: p.SetBinLocation, ctx: Context) -> str:
    cmd.actor.require(Permission.MANAGE_PURCHASING)
    bin_code = check_bin(cmd.bin)
    async with ctx.uow() as uow:
        variant, warehouse = await _variant_and_warehouse(uow, cmd.sku, cmd.warehouse)
        assert variant.id is not None and warehouse.id is not None
        await uow.purchasing.set_bin(variant.id, warehouse.id, bin_code, ctx.now())
        await uow.commit()
    return bin_code


async def record_documents_printed(cmd: p.RecordDocumentsPrinted, ctx: Context) -> int:
    """Warehouse paperwork is fulfilment work: whoever may fulfil may print it. Returns the orders recorded."""
    cmd.actor.require(Permission.FULFIL)
    if cmd.document not in DOCUMENTS:
        raise ValidationFailed(f"A printed document is one of {', '.join(DOCUMENTS)}; not {cmd.document!r}.")
    wanted = sorted(set(cmd.order_ids))
    if not wanted:
        raise ValidationFailed("Choose at least one order.")
    if len(wanted) > MAX_PRINTED_ORDERS:
        raise ValidationFailed(f"Print at most {MAX_PRINTED_ORDERS} orders at once.")
    warehouse = cmd.warehouse.strip().upper()
    async with ctx.uow() as uow:
        repo = uow.purchasing
        found = await repo.existing_orders(wanted)
        missing = sorted(set(wanted) - set(found))
        if missing:
            raise NotFound(f"No order {', '.join(f'#{m}' for m in missing)}.")
        await repo.record_documents(found, cmd.document, warehouse, cmd.actor.name, ctx.now())
        uow.publish(*(pe.OrderDocumentPrinted(oid, cmd.document, warehouse, cmd.actor.name) for oid in found))
        await uow.commit()
    return len(found)


HANDLERS: dict[type[Any], Any] = {
    p.CreateSupplier: create_supplier,
    p.CreatePurchaseOrder: create_purchase_order,
    p.SendPurchaseOrder: send_purchase_order,
    p.CancelPurchaseOrder: cancel_purchase_order,
    p.ReceivePurchaseOrder: receive_purchase_order,
    p.SetBinLocation: set_bin_location,
    p.RecordDocumentsPrinted: record_documents_printed,
}
