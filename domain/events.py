"""Domain events: facts, written to the outbox in the transaction that caused them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    registry: ClassVar[dict[str, type[Event]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        Event.registry[cls.__name__] = cls

    @property
    def name(self) -> str:
        return type(self).__name__

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, name: str, payload: dict[str, Any]) -> Event:
        event_type = cls.registry[name]
        fields = {f.name: str(f.type) for f in dataclasses.fields(event_type)}
        # JSON has no tuples: turn lists back into the tuples the event declares.
        values = {
            k: tuple(v) if isinstance(v, list) and fields[k].startswith("tuple") else v
            for k, v in payload.items()
            if k in fields
        }
        return event_type(**values)


@dataclass(frozen=True)
class OrderPlaced(Event):
    order_id: int
    customer_id: int
    channel: str
    total: int
    currency: str


@dataclass(frozen=True)
class PaymentLinkCreated(Event):
    order_id: int
    customer_id: int
    url: str
    expires_at: str


@dataclass(frozen=True)
class OrderPaid(Event):
    order_id: int
    customer_id: int
    channel: str
    total: int
    currency: str


@dataclass(frozen=True)
class OrderStatusChanged(Event):
    order_id: int
    customer_id: int
    old: str
    new: str
    actor: str


@dataclass(frozen=True)
class OrderCancelled(Event):
    order_id: int
    customer_id: int
    reason: str
    actor: str


@dataclass(frozen=True)
class PaymentFailed(Event):
    order_id: int
    customer_id: int
    reason: str


@dataclass(frozen=True)
class ReservationExpired(Event):
    order_id: int
    customer_id: int


@dataclass(frozen=True)
class OrderShipped(Event):
    order_id: int
    customer_id: int
    carrier: str
    tracking_number: str
    tracking_url: str


@dataclass(frozen=True)
class ReturnRequested(Event):
    order_id: int
    customer_id: int
    reason: str


@dataclass(frozen=True)
class RefundSucceeded(Event):
    order_id: int
    customer_id: int
    refund_id: int
    amount: int
    currency: str
    everything: bool = False  # with it, all the money the order ever took has gone back


@dataclass(frozen=True)
class RefundFailed(Event):
    """The provider refused a refund: staff can retry it (``RetryRefund``); the shopper hears it is delayed."""

    order_id: int
    refund_id: int
    reason: str
    customer_id: int = 0  # the defaults read events written before these fields existed
    amount: int = 0
    currency: str = ""
    provider: str = ""


@dataclass(frozen=True)
class RefundRequested(Event):
    """A refund was opened against one payment; the outbox asks that payment's provider after commit."""

    order_id: int
    customer_id: int
    refund_id: int
    payment_id: int
    provider: str
    amount: int
    currency: str
    reason: str
    automatic: bool = False  # opened by the shop itself (money that came twice or late), not by a person


@dataclass(frozen=True)
class RefundNeedsAction(Event):
    """The provider that took the money can't be asked to give it back (a Telegram in-chat payment through
    a provider whose keys we don't hold): a person refunds it there, then marks it done (``MarkRefundDone``)."""

    order_id: int
    customer_id: int
    refund_id: int
    provider: str
    provider_payment_id: str
    amount: int
    currency: str
    reason: str


@dataclass(frozen=True)
class ExtraPaymentReceived(Event):
    """Money arrived for an order that no longer wanted it (already paid through another payment, cancelled,
    or expired). It is recorded and a refund of exactly that payment is opened in the same transaction."""

    order_id: int
    customer_id: int
    payment_id: int
    provider: str
    amount: int
    currency: str
    order_status: str  # what the order was when the money came: paid (twice), cancelled, ...


@dataclass(frozen=True)
class PaymentSessionClosed(Event):
    """An order was paid through one payment; its other open sessions must stop taking money. The outbox
    asks each session's provider to close it (Stripe: expire the Checkout Session)."""

    order_id: int
    payment_id: int
    provider: str
    session_id: str


@dataclass(frozen=True)
class PaymentAttemptFailed(Event):
    """A card was declined on a page that stays open: the order and its stock hold remain until expiry."""

    order_id: int
    customer_id: int
    provider: str
    reason: str


@dataclass(frozen=True)
class ChannelReachable(Event):
    """A customer who could not be messaged on a channel (blocked the bot) wrote to us there again."""

    customer_id: int
    channel: str


@dataclass(frozen=True)
class StockChanged(Event):
    variant_id: int
    sku: str
    warehouse_id: int
    kind: str
    delta: int
    reason: str
    actor: str


@dataclass(frozen=True)
class BackInStock(Event):
    """A SKU had nothing available (over all warehouses) and now has: received, adjusted up, returned, or
    released by an order that did not go ahead. Written by the transaction that changed the stock."""

    variant_id: int
    sku: str
    available: int


@dataclass(frozen=True)
class LowStock(Event):
    variant_id: int
    sku: str
    available: int
    threshold: int


@dataclass(frozen=True)
class ConsentChanged(Event):
    customer_id: int
    purpose: str
    granted: bool
    source: str


@dataclass(frozen=True)
class CustomersMerged(Event):
    source_id: int
    target_id: int


@dataclass(frozen=True)
class CustomerAnonymised(Event):
    customer_id: int


@dataclass(frozen=True)
class CustomerCreated(Event):
    """A customer first seen: on their first message in a chat channel, or an order from another sales channel."""

    customer_id: int
    channel: str  # where they came from (webchat, telegram, … or the other sales channel's name)


@dataclass(frozen=True)
class TicketOpened(Event):
    ticket_id: int
    customer_id: int
    channel: str
    chat_id: str
    subject: str


@dataclass(frozen=True)
class TicketMessagePosted(Event):
    ticket_id: int
    customer_id: int
    channel: str
    chat_id: str
    author_kind: str
    author: str
    text: str


@dataclass(frozen=True)
class TicketClosed(Event):
    ticket_id: int
    customer_id: int
    channel: str
    chat_id: str
    actor: str


@dataclass(frozen=True)
class OrderNeedsApproval(Event):
    order_id: int
    customer_id: int
    reasons: tuple[str, ...]


# --- campaigns (issue 8) ---------------------------------------------------------------------------
@dataclass(frozen=True)
class OrderAttributed(Event):
    """An order was credited to a campaign (its last touch): campaign revenue reports change."""

    order_id: int
    customer_id: int
    campaign_id: int


@dataclass(frozen=True)
class CampaignTestRequested(Event):
    """A marketer asked to see the campaign on a channel (Telegram, e-mail); the sender's subscriber sends it."""

    campaign_id: int
    campaign: str  # its name (``name`` is the event's own)
    channel: str
    address: str
    locale: str
    actor: str


@dataclass(frozen=True)
class CampaignSubmitted(Event):
    campaign_id: int
    campaign: str  # its name (``name`` is the event's own)
    actor: str
    reachable: int


@dataclass(frozen=True)
class CampaignApproved(Event):
    campaign_id: int
    campaign: str  # its name (``name`` is the event's own)
    actor: str


@dataclass(frozen=True)
class CampaignStarted(Event):
    campaign_id: int
    campaign: str  # its name (``name`` is the event's own)
    run: int
    recipients: int


@dataclass(frozen=True)
class CampaignPaused(Event):
    """Paused by staff, or by itself (``reason`` "out of stock: SKU…"): the ops channel should hear of it."""

    campaign_id: int
    campaign: str  # its name (``name`` is the event's own)
    reason: str
    actor: str


@dataclass(frozen=True)
class CampaignResumed(Event):
    campaign_id: int
    campaign: str  # its name (``name`` is the event's own)
    actor: str


@dataclass(frozen=True)
class CampaignCancelled(Event):
    campaign_id: int
    campaign: str  # its name (``name`` is the event's own)
    actor: str


@dataclass(frozen=True)
class CampaignFinished(Event):
    campaign_id: int
    campaign: str  # its name (``name`` is the event's own)
    run: int
    sent: int
    unknown: int


@dataclass(frozen=True)
class MarketingMessage(Event):
    """A campaign message for a web chat: shown on open sockets now or kept for the next visit."""

    campaign_id: int
    delivery_id: int
    customer_id: int
    chat_id: str
    locale: str
    text: str
    image_url: str | None
    skus: tuple[str, ...]
    coupon: str | None
    checkout: bool = False  # an abandoned-cart reminder (skus are the cart's): offer a button to check out


# --- outbound webhooks (issue 18) ------------------------------------------------------------------
@dataclass(frozen=True)
class WebhookSubscriptionDisabled(Event):
    """A webhook subscription stopped receiving events: staff turned it off, or it kept failing (``actor``
    "system"); the ops channel hears of the second kind."""

    subscription_id: int
    url: str
    reason: str
    actor: str


@dataclass(frozen=True)
class DeliveryException(Event):
    """A carrier reported a problem delivering a shipped order (address, damage, held at customs...)."""

    order_id: int
    customer_id: int
    carrier: str
    tracking_number: str
    description: str


@dataclass(frozen=True)
class AutomationNotice(Event):
    """An automation rule's ``notify_slack`` action: ``text`` for the ops channel."""

    rule: str
    text: str
    source_event_id: str


@dataclass(frozen=True)
class AutomationActionRetry(Event):
    """An automation action the order could not take yet, to be tried again when the outbox delivers this
    (it is written to be available later)."""

    rule: str
    source_event_id: str
    event_type: str
    payload: dict[str, Any]
    action: int
    attempt: int


@dataclass(frozen=True)
class AutomationMessage(Event):
    """An automation rule's ``message_shopper`` action: a message about an order, one text per language."""

    order_id: int
    customer_id: int
    rule: str
    texts: dict[str, str]


@dataclass(frozen=True)
class OrderNoteAdded(Event):
    """Staff wrote a note on an order (the console's timeline keeps it; nobody is messaged)."""

    order_id: int
    customer_id: int
    text: str
    actor: str
