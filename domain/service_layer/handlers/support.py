"""Support hand-off: tickets that carry the conversation, agent replies routed back to the chat."""

from __future__ import annotations

from domain import commands as c
from domain import events
from domain.errors import NotFound, PermissionDenied
from domain.model.staff import ActorKind, Permission
from domain.model.support import AuthorKind, SupportMessage, SupportTicket
from domain.service_layer.context import Context
from domain.service_layer.handlers.customers import get_customer
from domain.service_layer.unit_of_work import UnitOfWork

MAX_TRANSCRIPT = 30


async def _ticket(uow: UnitOfWork, ticket_id: int) -> SupportTicket:
    ticket = await uow.support.ticket(ticket_id, lock=True)
    if ticket is None:
        raise NotFound(f"No support ticket #{ticket_id}.")
    return ticket


async def open_ticket(cmd: c.OpenTicket, ctx: Context) -> int:
    async with ctx.uow() as uow:
        existing = await uow.support.open_ticket_for_chat(cmd.channel, cmd.chat_id)
        if existing is not None and existing.id is not None:
            return existing.id
        await get_customer(uow, cmd.customer_id)
        now = ctx.now()
        cart = await uow.sales.cart_of(cmd.customer_id)
        context = {
            "cart": [
                {"variant_id": line.variant_id, "quantity": line.quantity} for line in (cart.lines if cart else [])
            ],
            "coupon": cart.coupon_code if cart else None,
            "transcript": [{"who": who[:20], "text": text[:1000]} for who, text in cmd.transcript[-MAX_TRANSCRIPT:]],
        }
        ticket = await uow.support.add_ticket(
            SupportTicket(cmd.customer_id, cmd.channel[:16], cmd.chat_id[:200], cmd.subject or "Help", context, now)
        )
        assert ticket.id is not None
        uow.publish(events.TicketOpened(ticket.id, cmd.customer_id, ticket.channel, ticket.chat_id, ticket.subject))
        await uow.commit()
        return ticket.id


async def post_ticket_message(cmd: c.PostTicketMessage, ctx: Context) -> None:
    async with ctx.uow() as uow:
        ticket = await _ticket(uow, cmd.ticket_id)
        assert ticket.id is not None
        if cmd.actor.kind == ActorKind.SHOPPER:
            if cmd.actor.customer_id != ticket.customer_id:
                raise PermissionDenied("That is not your conversation.")
            kind = AuthorKind.SHOPPER
        else:
            cmd.actor.require(Permission.SUPPORT)
            kind = AuthorKind.AGENT
            ticket.assignee = ticket.assignee or cmd.actor.name
        if not ticket.is_open:
            raise NotFound(f"Ticket #{ticket.id} is closed.")
        now = ctx.now()
        message = SupportMessage(ticket.id, kind, cmd.actor.name, cmd.text, now)
        await uow.support.add_message(message)
        ticket.updated_at = now
        uow.publish(
            events.TicketMessagePosted(
                ticket.id, ticket.customer_id, ticket.channel, ticket.chat_id, kind.value, cmd.actor.name, message.text
            )
        )
        await uow.commit()


async def close_ticket(cmd: c.CloseTicket, ctx: Context) -> None:
    async with ctx.uow() as uow:
        ticket = await _ticket(uow, cmd.ticket_id)
        assert ticket.id is not None
        cmd.actor.require_owner_or(ticket.customer_id, Permission.SUPPORT)
        if not ticket.is_open:
            return  # closing twice (two agents, a replayed click) is not an error
        ticket.close(ctx.now())
        uow.publish(events.TicketClosed(ticket.id, ticket.customer_id, ticket.channel, ticket.chat_id, cmd.actor.name))
        await uow.commit()


async def link_ticket_thread(cmd: c.LinkTicketThread, ctx: Context) -> None:
    async with ctx.uow() as uow:
        ticket = await _ticket(uow, cmd.ticket_id)
        ticket.external_thread = cmd.thread[:120]
        await uow.commit()
