"""Moving stock between warehouses: one transaction, a ledger row out of one and a row into the other."""

from __future__ import annotations

from typing import Any

from domain import events
from domain.commands_console import TransferStock
from domain.errors import NotFound, ValidationFailed
from domain.model.staff import Permission
from domain.service_layer.context import Context


async def transfer_stock(cmd: TransferStock, ctx: Context) -> int:
    cmd.actor.require(Permission.ADJUST_STOCK)
    source, destination = cmd.source.strip().upper(), cmd.destination.strip().upper()
    if source == destination:
        raise ValidationFailed("Pick two different warehouses to transfer between.")
    async with ctx.uow() as uow:
        variant = await uow.catalog.variant_by_sku(cmd.sku)
        if variant is None or variant.id is None:
            raise NotFound(f"No product with SKU {cmd.sku.strip().upper()}.")
        houses = {}
        for code in (source, destination):
            warehouse = await uow.inventory.warehouse_by_code(code)
            if warehouse is None or warehouse.id is None:
                raise NotFound(f"No warehouse {code}.")
            houses[code] = warehouse.id
        await uow.inventory.lock_levels([variant.id])  # both rows locked in id order, as every writer does
        out_level = await uow.inventory.lock_level(variant.id, houses[source])
        in_level = await uow.inventory.lock_level(variant.id, houses[destination])
        now, who = ctx.now(), cmd.actor.name
        out = out_level.transfer_out(cmd.quantity, destination, now, cmd.reason, actor=who)
        into = in_level.transfer_in(cmd.quantity, source, now, cmd.reason, actor=who)
        for movement, warehouse_id in ((out, houses[source]), (into, houses[destination])):
            await uow.inventory.add_movement(movement)
            uow.publish(
                events.StockChanged(
                    variant.id, variant.sku, warehouse_id, movement.kind.value, movement.d_on_hand, movement.reason, who
                )
            )
        await uow.commit()
        return out_level.on_hand


HANDLERS: dict[type[Any], Any] = {TransferStock: transfer_stock}
