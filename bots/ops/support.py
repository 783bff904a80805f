"""Support hand-off as staff see it: who the shopper is, their cart, recent orders and last messages."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from domain.model.money import Money
from domain.views.port import ShopViews

LAST_MESSAGES = 8
RECENT_ORDERS = 5
SUPPORT_COUPON_BP = 1000  # a "sorry" coupon: 10% off, single use
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: shoppers type these


@dataclass(frozen=True)
class Handoff:
    ticket_id: int
    customer_id: int
    customer: str
    channel: str
    subject: str
    cart: tuple[str, ...]
    orders: tuple[str, ...]
    messages: tuple[str, ...]
    is_open: bool


def _who(kind: str, author: str) -> str:
    return "shopper" if kind == "shopper" else author


async def handoff(views: ShopViews, ticket_id: int) -> Handoff | None:
    ticket = await views.ticket(ticket_id)
    if ticket is None:
        return None
    customer_id = int(ticket["customer_id"])
    profile = await views.customer(customer_id)
    cart = await views.cart(customer_id)
    cart_lines = tuple(
        f"{line.quantity} × {line.name} ({line.sku}) {Money(line.line_total, cart.currency)}" for line in cart.lines
    )
    if cart.lines:
        cart_lines += (f"Subtotal {Money(cart.subtotal, cart.currency)}",)
    orders = tuple(
        f"#{o.id} {o.status.replace('_', ' ')}, {Money(o.total, o.currency)}, {o.placed_at:%Y-%m-%d}"
        for o in await views.orders_of(customer_id, limit=RECENT_ORDERS)
    )
    context: dict[str, Any] = ticket.get("context") or {}
    said = [(str(m.get("who", "")), str(m.get("text", ""))) for m in context.get("transcript", [])]
    said += [(_who(str(m["author_kind"]), str(m["author"])), str(m["text"])) for m in ticket.get("messages", [])]
    name = profile.name if profile is not None and profile.name else f"customer #{customer_id}"
    return Handoff(
        ticket_id=ticket_id,
        customer_id=customer_id,
        customer=name,
        channel=str(ticket["channel"]),
        subject=str(ticket["subject"]),
        cart=cart_lines,
        orders=orders,
        messages=tuple(f"{who}: {text}" for who, text in said[-LAST_MESSAGES:]),
        is_open=str(ticket["status"]) == "open",
    )


def coupon_code() -> str:
    """A random single-use code, hard to guess (about 50 bits)."""
    return "SORRY-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def coupon_message(code: str) -> str:
    return f"Sorry for the trouble. Here is 10% off your next order, once: use code {code} at checkout."
