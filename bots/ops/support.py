"""Support hand-off as staff see it: who the shopper is, their cart, recent orders and last messages."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from domain.model.money import Money
from domain.views.port import ShopViews

LAST_SAID = 4  # what the shopper typed last: enough to see what they want, short enough to read at a glance
RECENT_ORDERS = 1  # the last order; staff look up more with /order
_PRESSED = re.compile(r"^\[[^\]]*\]$")  # a button press as the transcript keeps it ("[pv]", "[add]")
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
        total = f"{cart.item_count} items, {Money(cart.total_before_shipping, cart.currency)}"
        if cart.discount:
            total += f" after {Money(cart.discount, cart.currency)} off ({cart.coupon_code})"
        cart_lines += (f"Total: {total} before shipping",)
    orders = tuple(
        f"#{o.id} {o.status.replace('_', ' ')}, {Money(o.total, o.currency)}, {o.placed_at:%Y-%m-%d}"
        for o in await views.orders_of(customer_id, limit=RECENT_ORDERS)
    )
    context: dict[str, Any] = ticket.get("context") or {}
    # The shopper's own words only: the bot's answers (product cards, menus) and button presses are noise here.
    said = [
        str(m.get("text", ""))
        for m in context.get("transcript", [])
        if str(m.get("who", "")) == "shopper" and not _PRESSED.match(str(m.get("text", "")).strip())
    ]
    said += [str(m["text"]) for m in ticket.get("messages", []) if str(m["author_kind"]) == "shopper"]
    name = profile.name if profile is not None and profile.name else f"customer #{customer_id}"
    return Handoff(
        ticket_id=ticket_id,
        customer_id=customer_id,
        customer=name,
        channel=str(ticket["channel"]),
        subject=str(ticket["subject"]),
        cart=cart_lines,
        orders=orders,
        messages=tuple(said[-LAST_SAID:]),
        is_open=str(ticket["status"]) == "open",
    )


def coupon_code() -> str:
    """A random single-use code, hard to guess (about 50 bits)."""
    return "SORRY-" + "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def coupon_message(code: str) -> str:
    return f"Sorry for the trouble. Here is 10% off your next order, once: use code {code} at checkout."
