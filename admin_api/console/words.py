"""Order states, channels and timeline events in words (English message ids, translated by the catalog)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from admin_api.console.i18n import translator
from domain.errors import DomainError, IllegalTransition
from domain.model.money import Money
from domain.views.console import TimelineEntry

STATE_WORDS: dict[str, str] = {
    "pending_payment": "Awaiting payment",
    "paid": "Paid",
    "awaiting_approval": "Awaiting approval",
    "approved": "Approved",
    "picking": "Picking",
    "packed": "Packed",
    "shipped": "Shipped",
    "delivered": "Delivered",
    "cancelled": "Cancelled",
    "return_requested": "Return requested",
    "returned": "Returned",
    "partially_refunded": "Partially refunded",
    "refunded": "Refunded",
}
FINANCIAL_WORDS: dict[str, str] = {
    "unpaid": "Unpaid",
    "paid": "Paid",
    "partially_refunded": "Partially refunded",
    "refunded": "Refunded",
}
CHANNEL_WORDS: dict[str, str] = {
    "telegram": "Telegram",
    "webchat": "Web chat",
    "slack": "Slack",
    "email": "E-mail",
    "cli": "Command line",
    "api": "API",
}

# What the order page says after a console action (``?done=``).
DONE_WORDS: dict[str, str] = {
    "refund_succeeded": "refund succeeded",
    "refund_pending": "refund asked; the provider has not answered yet",
    "refund_failed": "refund failed; it can be retried",
    "refund_needs_action": "refund must be made by hand at the provider",
}

# Each timeline event's sentence; %(...)s are the event's fields (amounts come formatted).
EVENT_WORDS: dict[str, str] = {
    "OrderPlaced": "Order placed: %(total)s",
    "PaymentLinkCreated": "Payment link sent",
    "OrderPaid": "Paid %(total)s",
    "OrderNeedsApproval": "Waits for approval: %(reasons)s",
    "OrderStatusChanged": "%(old)s → %(new)s",
    "OrderCancelled": "Cancelled: %(reason)s",
    "PaymentFailed": "Payment failed: %(reason)s",
    "PaymentAttemptFailed": "A payment attempt failed: %(reason)s",
    "ReservationExpired": "Stock hold expired unpaid",
    "OrderShipped": "Shipped with %(carrier)s, tracking %(tracking_number)s",
    "DeliveryException": "Delivery problem: %(description)s",
    "ReturnRequested": "Return requested: %(reason)s",
    "RefundRequested": "Refund of %(amount)s asked: %(reason)s",
    "RefundSucceeded": "Refund of %(amount)s succeeded",
    "RefundFailed": "Refund of %(amount)s failed: %(reason)s",
    "RefundNeedsAction": "Refund of %(amount)s must be made by hand at %(provider)s",
    "ExtraPaymentReceived": "Extra payment of %(amount)s received; it is refunded",
    "PaymentSessionClosed": "Other payment sessions closed",
    "AutomationMessage": "Automation %(rule)s messaged the shopper",
    "OrderNoteAdded": "Note: %(text)s",
    "OrderDocumentPrinted": "Printed: %(document)s",
}
DOCUMENT_WORDS = {"pick_list": "Pick list", "packing_slip": "Packing slip"}


def state_words(state: str, _: Callable[..., str]) -> str:
    return _(STATE_WORDS[state]) if state in STATE_WORDS else state


def financial_words(status: str, _: Callable[..., str]) -> str:
    return _(FINANCIAL_WORDS[status]) if status in FINANCIAL_WORDS else status


def channel_words(channel: str, _: Callable[..., str]) -> str:
    return _(CHANNEL_WORDS[channel]) if channel in CHANNEL_WORDS else channel


def describe(entry: TimelineEntry, _: Callable[..., str], currency: str) -> str:
    """The entry as a sentence in the staff member's language (escaped later, by Jinja)."""
    d = entry.details
    values: dict[str, Any] = {k: v for k, v in d.items() if isinstance(v, str | int)}
    for key in ("total", "amount"):
        if isinstance(d.get(key), int):
            values[key] = Money(d[key], str(d.get("currency") or currency)).format()
    for key in ("old", "new"):
        if isinstance(d.get(key), str):
            values[key] = state_words(d[key], _)
    values["reasons"] = "; ".join(str(r) for r in d.get("reasons") or ())
    if d.get("document") in DOCUMENT_WORDS:
        values["document"] = _(DOCUMENT_WORDS[d["document"]])
    words = EVENT_WORDS.get(entry.name)
    if words is None:
        return entry.name
    try:
        return _(words, **values)
    except (KeyError, TypeError, ValueError):  # an event written before a field existed
        return entry.name


def who(actor: str, _: Callable[..., str]) -> str:
    """Who did it: a staff member by name, the shopper, or the shop itself."""
    if actor.startswith("customer:"):
        return _("the shopper")
    if actor == "system":
        return _("the shop")
    return actor


# The domain's refusals by code, for staff who read another language than the domain's English.
REFUSAL_WORDS: dict[str, str] = {
    "permission_denied": "Your role may not do that.",
    "not_found": "That could not be found.",
    "invalid": "That was not accepted.",
    "out_of_stock": "Not enough stock.",
    "refund_too_large": "That is more than can be refunded.",
    "conflict": "That changed at the same time elsewhere; try again.",
    "payment_expired": "The payment has expired.",
    "payment_failed": "The payment failed.",
    "cart_empty": "The cart is empty.",
    "price_changed": "A price changed.",
    "coupon_not_applicable": "The coupon can't be used.",
    "totp_unreadable": (
        "The two-step sign-in secret cannot be read with this shop's secret key; an administrator must reset it."
    ),
}


def refusal_text(exc: DomainError, locale: str) -> str:
    """The refusal in the staff member's language: English staff read the domain's own sentence; others read
    ours for its code (an order's states in their words), with the domain's sentence after it for detail."""
    if locale == "en":
        return exc.message
    _ = translator(locale)
    if isinstance(exc, IllegalTransition) and exc.current in STATE_WORDS and exc.target in STATE_WORDS:
        words = _(
            "The order is %(current)s and can't become %(target)s.",
            current=state_words(exc.current, _),
            target=state_words(exc.target, _),
        )
    elif exc.code in REFUSAL_WORDS:
        words = _(REFUSAL_WORDS[exc.code])
    else:
        return exc.message
    return f"{words}（{exc.message}）"
