"""An order as staff see it: lines, customer, totals, approval reasons, stock hold and the actions its state allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.model.money import Money
from domain.model.orders import STAFF_CANCELLABLE
from domain.views.models import CustomerProfile, OrderMoney, OrderSummary, OrderView
from domain.views.port import ShopViews

HISTORY = 50  # earlier orders read for the customer line


class OrderAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    PICK = "pick"
    PACK = "pack"
    SHIP = "ship"
    CANCEL = "cancel"
    REFUND = "refund"


# Cancelling is possible until the parcel leaves (the domain's state machine says the same; it has the last word).
_CANCELLABLE = STAFF_CANCELLABLE
# Stock held for the order: reserved (expires) before payment, allocated (kept until shipped) after.
_ALLOCATED = frozenset({"paid", "awaiting_approval", "approved", "picking", "packed"})
_DECIDED = {"approved": "approved", "cancelled": "rejected", "refunded": "rejected", "partially_refunded": "rejected"}


@dataclass(frozen=True)
class OrderCard:
    order_id: int
    status: str
    customer: str
    ship_to: str
    lines: tuple[str, ...]
    totals: tuple[tuple[str, str], ...]
    reasons: tuple[str, ...]
    stock_hold: str
    actions: tuple[OrderAction, ...]
    refundable: str
    tracking: str | None
    placed_at: datetime
    facts: tuple[str, ...] = ()  # payment and risk: how it was paid, where it goes, where it came from
    first_order: bool = False  # nothing kept from this customer before (unpaid or cancelled tries don't count)
    customer_name: str = ""
    history: str = ""  # what they bought before, or "first order"

    @property
    def title(self) -> str:
        return f"Order #{self.order_id}"

    @property
    def status_label(self) -> str:
        return self.status.replace("_", " ")


def money(amount: int, currency: str) -> str:
    return Money(amount, currency).format()


def stock_hold(order: OrderView, now: datetime) -> str:
    """How long the order's stock is held: a paid order's allocation does not expire, a reservation does."""
    if order.status in _ALLOCATED:
        return "Stock allocated (held until shipped or cancelled; it does not expire)."
    if order.status == "pending_payment" and order.reservation_expires_at is not None:
        left = int((order.reservation_expires_at - now).total_seconds() // 60)
        until = f"{order.reservation_expires_at:%H:%M} UTC"
        return f"Stock reserved until {until} ({left} min left)." if left > 0 else f"Reservation ran out at {until}."
    return "No stock held."


def actions_for(order: OrderView) -> tuple[OrderAction, ...]:
    """Buttons worth showing in this state; the domain still refuses anything illegal or not permitted."""
    found: list[OrderAction] = []
    if order.status == "awaiting_approval":
        found += [OrderAction.APPROVE, OrderAction.REJECT]
    if order.status in ("paid", "approved"):
        found.append(OrderAction.PICK)
    if order.status == "picking":
        found.append(OrderAction.PACK)
    if order.status == "packed":
        found.append(OrderAction.SHIP)
    if order.status in _CANCELLABLE:
        found.append(OrderAction.CANCEL)
    if order.captured - order.refunded > 0 and order.status != "awaiting_approval":
        found.append(OrderAction.REFUND)
    return tuple(found)


FIRST_ORDER = "first order"
_NOT_KEPT = frozenset({"cancelled", "expired", "pending_payment", "refunded"})  # orders that brought nothing


def _history(order: OrderView, earlier: list[OrderSummary]) -> tuple[str, bool]:
    """What they bought before this order (this one is not history yet), and whether this is their first."""
    kept = [o for o in earlier if o.status not in _NOT_KEPT]
    if not kept:
        return FIRST_ORDER + (f" ({len(earlier)} unpaid or cancelled before)" if earlier else ""), True
    spent = money(sum(o.total for o in kept if o.currency == order.currency), order.currency)
    plural = "s" if len(kept) != 1 else ""
    return f"{len(kept)} earlier order{plural}, {spent}, last {kept[0].placed_at:%Y-%m-%d}", False


def account_age(created_at: datetime | None, now: datetime) -> str | None:
    """How old the customer's account is (a brand-new account placing a large order is a risk signal)."""
    if created_at is None:
        return None
    days = (now - created_at).days
    if days < 1:
        return "account made today"
    return f"account {days:,} day{'s' if days != 1 else ''} old (since {created_at:%Y-%m-%d})"


def _facts(
    order: OrderView, payments: OrderMoney | None, customer: CustomerProfile | None = None, now: datetime | None = None
) -> tuple[str, ...]:
    """What a person deciding on the order wants to know about the money, the customer and the destination."""
    facts: list[str] = []
    paid = [p for p in (payments.payments if payments else ()) if p.status == "succeeded"]
    if paid:
        facts.append("Paid via " + ", ".join(f"{p.provider} ({money(p.amount, p.currency)})" for p in paid))
    elif order.captured == 0:
        facts.append("Not paid yet")
    age = account_age(customer.created_at, now) if customer is not None and now is not None else None
    if age:
        facts.append(age)
    country = order.shipping_address.get("country")
    if country:
        facts.append(f"ships to {country}")
    facts.append(f"ordered in {order.channel}")
    return tuple(facts)


def _ship_to(address: dict[str, str]) -> str:
    parts = [address.get(k, "") for k in ("name", "line1", "city", "postal_code", "country")]
    return ", ".join(p for p in parts if p) or "no address"


def build_card(
    order: OrderView,
    customer: CustomerProfile | None,
    now: datetime,
    earlier: list[OrderSummary] | None = None,
    payments: OrderMoney | None = None,
) -> OrderCard:
    cur = order.currency
    lines = tuple(
        f"{line.quantity} × {line.name} ({line.sku}) at {money(line.unit_price, cur)}"
        + (f", −{money(line.discount, cur)}" if line.discount else "")
        for line in order.lines
    )
    totals = [("Subtotal", money(order.subtotal, cur))]
    if order.discount:
        totals.append(("Discount", f"−{money(order.discount, cur)}"))
    totals += [
        ("Shipping", money(order.shipping, cur)),
        ("Tax", money(order.tax, cur)),
        ("Total", money(order.total, cur)),
    ]
    if order.refunded:
        totals.append(("Refunded", money(order.refunded, cur)))
    tracking = f"{order.carrier} {order.tracking_number}" if order.carrier and order.tracking_number else None
    name = (customer.name if customer else "") or f"customer #{order.customer_id}"
    history, first = _history(order, earlier or [])
    return OrderCard(
        order_id=order.id,
        status=order.status,
        customer=f"{name} · {history}",
        ship_to=_ship_to(order.shipping_address),
        lines=lines,
        totals=tuple(totals),
        reasons=order.approval_reasons,
        stock_hold=stock_hold(order, now),
        actions=actions_for(order),
        refundable=money(order.captured - order.refunded, cur),
        tracking=tracking,
        placed_at=order.placed_at,
        facts=_facts(order, payments, customer, now),
        first_order=first,
        customer_name=name,
        history=history,
    )


async def order_card(views: ShopViews, order_id: int, now: datetime) -> OrderCard | None:
    order = await views.order(order_id)
    if order is None:
        return None
    history = await views.orders_of(order.customer_id, limit=HISTORY)
    earlier = [o for o in history if o.id != order.id and o.placed_at <= order.placed_at]
    money_moves = await views.order_money(order_id)
    return build_card(order, await views.customer(order.customer_id), now, earlier, money_moves)


def decision_of(status: str) -> str | None:
    """What an approver's decision turned the order into, once it is no longer awaiting approval."""
    return _DECIDED.get(status)
