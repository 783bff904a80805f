"""Reorder commands: a SKU's sourcing, and reorder suggestions turned into draft purchase orders — one per
supplier, all in one transaction with the record of the form's key (so a form sent twice drafts once)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain import commands_reorder as r
from domain.errors import NotFound, ValidationFailed
from domain.events_reorder import ReorderSuggestionsReady
from domain.model.purchasing import POLine, PurchaseOrder
from domain.model.staff import Permission
from domain.repositories import Sourcing
from domain.service_layer.context import Context

MAX_ITEMS = 500


async def set_variant_sourcing(cmd: r.SetVariantSourcing, ctx: Context) -> None:
    cmd.actor.require(Permission.MANAGE_PURCHASING)
    if not 1 <= cmd.pack_size <= 100_000:
        raise ValidationFailed("A pack size is between 1 and 100000 units.")
    if cmd.unit_cost < 0:
        raise ValidationFailed("A unit cost can't be negative.")
    async with ctx.uow() as uow:
        variant = await uow.catalog.variant_by_sku(cmd.sku)
        if variant is None or variant.id is None:
            raise NotFound(f"No product with SKU {cmd.sku.strip().upper()}.")
        if await uow.purchasing.supplier(cmd.supplier_id) is None:
            raise NotFound(f"There is no supplier {cmd.supplier_id}.")
        await uow.reorder.set_sourcing(variant.id, Sourcing(cmd.supplier_id, cmd.pack_size, cmd.unit_cost), ctx.now())
        await uow.commit()


async def draft_reorder_purchase_orders(cmd: r.DraftReorderPurchaseOrders, ctx: Context) -> r.DraftedOrders:
    cmd.actor.require(Permission.MANAGE_PURCHASING)
    key = cmd.key.strip()
    if not 8 <= len(key) <= 64:
        raise ValidationFailed("This form has expired; open the suggestions again.")
    wanted: dict[str, int] = {}
    for sku, quantity in cmd.items:
        if quantity <= 0:
            raise ValidationFailed(f"The quantity of {sku.strip().upper()} must be positive.")
        wanted[sku.strip().upper()] = wanted.get(sku.strip().upper(), 0) + quantity
    if not wanted:
        raise ValidationFailed("Choose at least one suggestion.")
    if len(wanted) > MAX_ITEMS:
        raise ValidationFailed(f"Choose at most {MAX_ITEMS} SKUs at once.")
    async with ctx.uow() as uow:
        repo, purchasing = uow.reorder, uow.purchasing
        done = await repo.batch(key)
        if done is not None:
            return r.DraftedOrders(done, (), replayed=True)
        variants = {}
        for sku in sorted(wanted):
            variant = await uow.catalog.variant_by_sku(sku)
            if variant is None or variant.id is None:
                raise NotFound(f"No product with SKU {sku}.")
            variants[sku] = variant
        sourcing = await repo.sourcing([v.id for v in variants.values() if v.id is not None])
        by_supplier: dict[int, list[POLine]] = {}
        skipped: list[str] = []
        for sku, variant in variants.items():
            assert variant.id is not None
            source = sourcing.get(variant.id)
            if source is None:
                skipped.append(sku)
                continue
            line = POLine(variant.id, variant.sku, wanted[sku], source.unit_cost)
            by_supplier.setdefault(source.supplier_id, []).append(line)
        now = ctx.now()
        po_ids: list[int] = []
        for supplier_id, lines in sorted(by_supplier.items()):
            supplier = await purchasing.supplier(supplier_id)
            if supplier is None:
                raise NotFound(f"There is no supplier {supplier_id}.")
            expected = now.date() + timedelta(days=supplier.lead_time_days)
            po = PurchaseOrder(
                supplier_id, supplier.currency, lines, expected, cmd.actor.name, now, "From reorder suggestions"
            )
            po_ids.append(await purchasing.add_po(po))
        await repo.add_batch(key, po_ids, cmd.actor.name, now)
        await uow.commit()
    return r.DraftedOrders(tuple(po_ids), tuple(skipped))


async def publish_reorder_suggestions(cmd: r.PublishReorderSuggestions, ctx: Context) -> None:
    """Only the event is written (one transaction, delivered by the outbox after commit)."""
    cmd.actor.require(Permission.MANAGE_PURCHASING)
    async with ctx.uow() as uow:
        uow.publish(ReorderSuggestionsReady(cmd.lines, cmd.covered, cmd.actor.name))
        await uow.commit()


HANDLERS: dict[type[Any], Any] = {
    r.SetVariantSourcing: set_variant_sourcing,
    r.DraftReorderPurchaseOrders: draft_reorder_purchase_orders,
    r.PublishReorderSuggestions: publish_reorder_suggestions,
}
