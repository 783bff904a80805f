"""Notes on orders: written as an event, so the order's timeline keeps them with who wrote them and when."""

from __future__ import annotations

from typing import Any

from domain import events
from domain.commands_console import AddOrderNote
from domain.errors import ValidationFailed
from domain.model.staff import Permission
from domain.service_layer.context import Context
from domain.service_layer.handlers.orders import load_order

MAX_NOTE = 2000


async def add_order_note(cmd: AddOrderNote, ctx: Context) -> None:
    cmd.actor.require(Permission.FULFIL)
    text = cmd.text.strip()
    if not text:
        raise ValidationFailed("Write the note first.")
    if len(text) > MAX_NOTE:
        raise ValidationFailed(f"A note has at most {MAX_NOTE} characters.")
    async with ctx.uow() as uow:
        order = await load_order(uow, cmd.order_id, lock=False)
        assert order.id is not None
        uow.publish(events.OrderNoteAdded(order.id, order.customer_id, text, cmd.actor.name))
        await uow.commit()


HANDLERS: dict[type[Any], Any] = {AddOrderNote: add_order_note}
