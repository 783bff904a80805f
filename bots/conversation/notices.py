"""What a shopper is told about their order and their money, whichever chat they use.

The one place that decides which domain events a shopper hears about and in what words. Channels only
find the shopper's chats and render the replies, so a web chat shopper and a Telegram shopper hear the
same things. Each event is heard on the chat channel the order was placed on.
"""

from __future__ import annotations

from bots.conversation.messages import Button, QuickReplies, Reply
from bots.conversation.turn import Turn
from bots.shopper.render import order_line_name
from domain import events as ev
from domain.views.models import CustomerProfile
from domain.views.port import ShopViews

# Events a shopper hears about (besides support replies and campaign messages, which name their chat).
ORDER_NOTICE_EVENTS = frozenset(
    {
        "OrderPaid",
        "OrderStatusChanged",
        "OrderShipped",
        "DeliveryException",
        "AutomationMessage",
        "OrderCancelled",
        "ReservationExpired",
        "PaymentFailed",
        "PaymentAttemptFailed",
        "ExtraPaymentReceived",
        "RefundSucceeded",
        "RefundFailed",
        "RefundNeedsAction",
    }
)
CHAT_NOTICE_EVENTS = frozenset({"TicketMessagePosted", "TicketClosed"})
SHOPPER_NOTICE_EVENTS = ORDER_NOTICE_EVENTS | CHAT_NOTICE_EVENTS
# Order moves that have no event of their own (paid, shipped, cancelled and refunds do).
STATUS_NOTICES = frozenset({"approved", "delivered", "returned"})
REJECTED = "rejected: "


def heard(event: ev.Event) -> bool:
    """Whether the shopper is told about this event at all (before looking up any chat)."""
    if event.name not in SHOPPER_NOTICE_EVENTS:
        return False
    if isinstance(event, ev.OrderStatusChanged):
        return event.new in STATUS_NOTICES
    if isinstance(event, ev.OrderCancelled):
        # The shopper's own cancel was answered in the turn that did it.
        return event.actor != f"customer:{event.customer_id}"
    return True


async def order_notice(turn: Turn, event: ev.Event) -> list[Reply]:
    """The replies for one order or payment event (empty when the shopper isn't told)."""
    if not heard(event) or event.name not in ORDER_NOTICE_EVENTS:
        return []
    _ = turn.t
    order_id = int(getattr(event, "order_id"))  # noqa: B009 - every order notice event has one
    status = turn.button(_("Order status"), "o", order_id)
    shop = turn.button(_("Keep shopping"), "cats")
    human = turn.button(_("Talk to a person"), "hum")
    if isinstance(event, ev.OrderPaid):
        order = await turn.services.views.order(order_id, turn.locale)
        text = _(
            "Payment received for order #{id} ({total}). Thank you! I'll tell you when it ships.",
            id=order_id,
            total=turn.money(event.total, event.currency),
        )
        if order is not None and order.status == "awaiting_approval":
            text += " " + _("We check large orders by hand first; that takes a few hours.")
        if order is not None:  # what was paid for, named in the shopper's language
            text += "".join(f"\n{line.quantity} x {order_line_name(turn, line)}" for line in order.lines)
        return [QuickReplies(text, (status, shop))]
    if isinstance(event, ev.OrderStatusChanged):
        if event.new == "approved":
            text = _("Good news: order #{id} is approved and we're getting it ready.", id=order_id)
        elif event.new == "delivered":
            text = _("Order #{id} has been delivered. Enjoy!", id=order_id)
        else:
            text = _("We received your return of order #{id}. Your refund follows shortly.", id=order_id)
        return [QuickReplies(text, (status,))]
    if isinstance(event, ev.OrderShipped):
        text = _(
            "Order #{id} is on its way with {carrier} (tracking {number}).",
            id=order_id,
            carrier=event.carrier,
            number=event.tracking_number,
        )
        buttons = [status]
        if event.tracking_url:
            buttons.insert(0, Button(_("Track the parcel"), url=event.tracking_url))
        return [QuickReplies(text, tuple(buttons))]
    if isinstance(event, ev.AutomationMessage):  # a shop's own words, from an automation rule
        return [QuickReplies(event.texts.get(turn.locale) or event.texts["en"], (status, shop))]
    if isinstance(event, ev.DeliveryException):
        text = _(
            "The carrier reports a problem delivering order #{id}. We're looking into it and will keep you posted.",
            id=order_id,
        )
        return [QuickReplies(text, (status, human))]
    if isinstance(event, ev.OrderCancelled):
        if event.reason.startswith(REJECTED):
            text = _(
                "Sorry, we couldn't accept order #{id}: {reason}. Any payment comes back to you in full.",
                id=order_id,
                reason=event.reason[len(REJECTED) :],
            )
        else:
            text = _("Order #{id} was cancelled ({reason}).", id=order_id, reason=event.reason)
        return [QuickReplies(text, (status, human))]
    if isinstance(event, ev.ReservationExpired):
        text = _(
            "The payment link for order #{id} expired, so the items went back on the shelf. "
            "They are back in your cart whenever you want to check out again.",
            id=order_id,
        )
        return [QuickReplies(text, (turn.button(_("My cart"), "cart"), shop))]
    if isinstance(event, ev.PaymentFailed):
        text = _(
            "The payment for order #{id} didn't go through ({reason}). The order was cancelled and "
            "the items are back in your cart.",
            id=order_id,
            reason=event.reason,
        )
        return [QuickReplies(text, (turn.button(_("My cart"), "cart"), human))]
    if isinstance(event, ev.PaymentAttemptFailed):
        text = _(
            "The card was declined for order #{id} ({reason}). Your order is still reserved: you can try another card.",
            id=order_id,
            reason=event.reason,
        )
        return [QuickReplies(text, (turn.button(_("Try another card"), "pay", order_id), human))]
    if isinstance(event, ev.ExtraPaymentReceived):
        amount = turn.money(event.amount, event.currency)
        if event.order_status == "cancelled":
            text = _(
                "A payment of {amount} for order #{id} arrived after the order was closed. "
                "We are sending it back to you.",
                amount=amount,
                id=order_id,
            )
        else:
            text = _(
                "Order #{id} was already paid, so we are sending back the second payment of {amount}.",
                amount=amount,
                id=order_id,
            )
        return [QuickReplies(text, (status,))]
    if isinstance(event, ev.RefundSucceeded):
        amount = turn.money(event.amount, event.currency)
        if event.everything:
            text = _("We refunded {amount} for order #{id}: everything you paid.", amount=amount, id=order_id)
        else:
            text = _("We refunded {amount} for order #{id}.", amount=amount, id=order_id)
        text += " " + _("Banks usually show it within 5-10 days.")
        return [QuickReplies(text, (status,))]
    if isinstance(event, ev.RefundFailed):
        text = _(
            "Your refund of {amount} for order #{id} is delayed. Our team has been told and will sort it out.",
            amount=turn.money(event.amount, event.currency) if event.currency else "",
            id=order_id,
        )
        return [QuickReplies(text, (status, human))]
    if isinstance(event, ev.RefundNeedsAction):
        text = _(
            "Your money ({amount}) for order #{id} will come back to you: our team is refunding it "
            "by hand, which can take a few days.",
            amount=turn.money(event.amount, event.currency),
            id=order_id,
        )
        return [QuickReplies(text, (status, human))]
    return []


async def order_chats(views: ShopViews, event: ev.Event, channel: str) -> tuple[list[str], CustomerProfile | None]:
    """The shopper's chats on ``channel`` that hear this order event: those of the channel the order was
    placed on (identities of that kind; a private chat's id is the user's id). Also the customer's profile."""
    if not heard(event) or event.name not in ORDER_NOTICE_EVENTS:
        return [], None
    order_id, customer_id = getattr(event, "order_id", None), getattr(event, "customer_id", None)
    if not isinstance(order_id, int) or not isinstance(customer_id, int):
        return [], None
    order_channel = getattr(event, "channel", None)
    if order_channel is None:
        order = await views.order(order_id)
        order_channel = order.channel if order is not None else None
    if order_channel != channel:
        return [], None
    profile = await views.customer(customer_id)
    if profile is None:
        return [], None
    return [ext for kind, ext in profile.identities if kind == channel], profile
