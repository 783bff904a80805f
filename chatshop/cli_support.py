"""``chatshop support``: answer handed-off shoppers from the terminal (list, show, reply, close).

Replies go through the domain (PostTicketMessage), so they reach the shopper's chat through the
outbox like a Slack agent's would.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import get_settings
from domain import commands as c
from domain.errors import DomainError
from domain.model.staff import Actor

T = TypeVar("T")
support_app = typer.Typer(help="Support tickets: shoppers handed off to a person.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)
AgentOption = Annotated[str, typer.Option("--as", help="The name the shopper sees on your replies.")]


def _run(fn: Callable[[Shop], Awaitable[T]]) -> T:
    async def main() -> T:
        shop = build_shop(get_settings())
        try:
            return await fn(shop)
        finally:
            await shop.close()

    try:
        return asyncio.run(main())
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None


async def _ticket(shop: Shop, ticket_id: int) -> dict[str, Any]:
    ticket = await shop.views.ticket(ticket_id)
    if ticket is None:
        raise DomainError(f"No support ticket #{ticket_id}.")
    return ticket


@support_app.command("list")
def list_tickets(all_: Annotated[bool, typer.Option("--all", help="Include closed tickets.")] = False) -> None:
    """Open tickets, newest first."""
    rows = _run(lambda shop: shop.views.tickets(None if all_ else "open"))
    table = Table("ID", "Status", "Channel", "Customer", "Subject", "Agent", "Updated")
    for r in rows:
        table.add_row(
            str(r["id"]),
            str(r["status"]),
            r["channel"],
            str(r["customer_id"]),
            r["subject"],
            r["assignee"] or "",
            f"{r['updated_at']:%Y-%m-%d %H:%M}",
        )
    console.print(table if rows else "No open tickets.")


@support_app.command("show")
def show(ticket_id: int) -> None:
    """A ticket with the chat before the hand-off, the cart, and the messages since."""
    ticket = _run(lambda shop: _ticket(shop, ticket_id))
    console.print(
        f"[bold]Ticket #{ticket['id']}[/bold] ({ticket['status']}) {ticket['channel']} customer {ticket['customer_id']}"
    )
    console.print(Text(f"Subject: {ticket['subject']}"))
    context = ticket["context"] or {}
    if context.get("cart"):
        console.print(f"Cart: {context['cart']}  coupon: {context.get('coupon')}")
    console.print("[dim]--- before the hand-off ---[/dim]")
    for line in context.get("transcript", []):
        console.print(Text.assemble((f"{line.get('who')}: ", "dim"), str(line.get("text"))))
    console.print("[dim]--- since ---[/dim]")
    for msg in ticket["messages"]:
        console.print(
            Text.assemble((f"{msg['author_kind']} {msg['author']} ({msg['created_at']:%H:%M}): ", "dim"), msg["text"])
        )


@support_app.command("reply")
def reply(ticket_id: int, text: str, agent: AgentOption = "support") -> None:
    """Answer the shopper; the message appears in their chat."""
    _run(lambda shop: shop.bus.handle(c.PostTicketMessage(ticket_id, text, actor=Actor.system(agent))))
    console.print(f"Sent to ticket #{ticket_id}.")


@support_app.command("close")
def close(ticket_id: int, agent: AgentOption = "support") -> None:
    """Close the ticket; the bot takes the chat back."""
    _run(lambda shop: shop.bus.handle(c.CloseTicket(ticket_id, actor=Actor.system(agent))))
    console.print(f"Ticket #{ticket_id} closed.")
