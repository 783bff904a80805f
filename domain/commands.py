"""Commands: requests to change the shop. Each is handled in one unit of work (see handlers)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.model.customers import Channel
from domain.model.staff import Actor, Role

SYSTEM = Actor.system()


@dataclass(frozen=True)
class Command:
    pass


# --- catalog ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VariantSpec:
    sku: str
    price: int
    options: dict[str, str] = field(default_factory=dict)
    low_stock_threshold: int = 5


@dataclass(frozen=True)
class UpsertProduct(Command):
    """Create or update a product (matched by slug) with its variants (matched by SKU)."""

    name: str
    variants: tuple[VariantSpec, ...]
    category_path: tuple[str, ...] = ()
    slug: str | None = None
    description: str = ""
    brand: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    images: tuple[str, ...] = ()
    active: bool = True
    actor: Actor = field(kw_only=True)
    # {"zh_Hans": {"name": "女款轻量跑鞋", "description": "…"}}: replaces the product's translations.
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    # {"zh_Hans": ("服装", "卫衣")}: the names of ``category_path``'s categories, level by level.
    category_translations: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ArchiveProduct(Command):
    slug: str
    actor: Actor = field(kw_only=True)


# --- inventory -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateWarehouse(Command):
    code: str
    name: str
    priority: int = 100
    country: str = "US"
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ReceiveStock(Command):
    sku: str
    warehouse: str
    quantity: int
    reason: str = "received"
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class AdjustStock(Command):
    sku: str
    warehouse: str
    delta: int
    reason: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class CountStock(Command):
    """Set what is on hand to a counted number (a WMS count): the ledger gets the difference as an
    adjustment; counting the same number again changes nothing. Returns the on-hand count."""

    sku: str
    warehouse: str
    on_hand: int
    reason: str = "stock count"
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ExpireReservations(Command):
    limit: int = 200


# --- customers -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IdentifyCustomer(Command):
    """Find the customer behind a channel identity, creating one on first contact.

    ``contact``: they are writing to us there right now, so they can be messaged there again (a shopper who
    had blocked the bot is reachable again). False for a look-up on the way out (a send that failed)."""

    channel: Channel
    external_id: str
    name: str = ""
    locale: str | None = None
    country: str | None = None
    contact: bool = True


@dataclass(frozen=True)
class LinkIdentity(Command):
    """Attach another channel identity to a customer; if it belonged to someone else, merge them in."""

    customer_id: int
    channel: Channel
    external_id: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class UpdateCustomer(Command):
    customer_id: int
    name: str | None = None
    locale: str | None = None
    email: str | None = None
    country: str | None = None
    timezone: str | None = None
    add_tags: tuple[str, ...] = ()
    notes: str | None = None
    actor: Actor = field(kw_only=True)
    remove_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class SetMarketingConsent(Command):
    customer_id: int
    granted: bool
    source: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class AnonymiseCustomer(Command):
    customer_id: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class AddStaff(Command):
    name: str
    role: Role
    slack_user_id: str | None = None
    actor: Actor = field(kw_only=True)
    update: bool = False  # the Slack user is already staff: change their name and role (else refused)


@dataclass(frozen=True)
class DeactivateStaff(Command):
    """They keep their history (who approved what) but can no longer act."""

    staff_id: int
    actor: Actor = field(kw_only=True)


# --- cart ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AddToCart(Command):
    customer_id: int
    sku: str
    quantity: int = 1
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class SetCartQuantity(Command):
    customer_id: int
    sku: str
    quantity: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ApplyCoupon(Command):
    customer_id: int
    code: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class RemoveCoupon(Command):
    customer_id: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ClearCart(Command):
    customer_id: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class CreateCoupon(Command):
    code: str
    kind: str
    value: int
    min_subtotal: int = 0
    usage_limit: int | None = None
    per_customer_limit: int | None = 1
    starts_at: str | None = None
    ends_at: str | None = None
    product_slugs: tuple[str, ...] = ()
    category_slugs: tuple[str, ...] = ()
    description: str = ""
    actor: Actor = field(kw_only=True)
    # None: create the code or redefine it (and enable it); False: only create (an existing code is a
    # conflict); True: only redefine, keeping whether it is enabled (an unknown code is not found).
    exists: bool | None = None
    currency: str | None = None  # of ``value`` (fixed) and ``min_subtotal``; None: the shop's


@dataclass(frozen=True)
class EnableCoupon(Command):
    """Let a disabled code work again, unchanged."""

    code: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class DisableCoupon(Command):
    """Stop a code working (carts holding it lose it at checkout); ``CreateCoupon`` with the code enables it
    again. Personal codes issued from it as a campaign template keep working: they are coupons of their own."""

    code: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class CreateShippingMethod(Command):
    code: str
    name: str
    price: int
    countries: tuple[str, ...] = ()
    free_over: int | None = None
    min_days: int = 2
    max_days: int = 5
    actor: Actor = field(kw_only=True)


# --- orders ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceOrder(Command):
    """Check out the customer's cart: re-price, reserve stock, create a pending order.

    ``expected_total`` (what the shopper was shown) makes the order fail with PriceChanged if prices moved.
    ``idempotency_key`` makes a retried request return the same order instead of a second one.
    """

    customer_id: int
    shipping_address: dict[str, str]
    shipping_method: str
    channel: str
    idempotency_key: str | None = None
    expected_total: int | None = None
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class PlaceExternalOrder(Command):
    """An order from another sales channel (a marketplace, a till, the phone), marked with that channel and its
    id there: stock is reserved like a chat checkout's, at today's prices. ``paid``: the channel took the money,
    so it is booked as an ``external`` payment and the stock allocated (a refund of it is for a person to make
    there). The same (channel, external id) again returns the first order. Returns the order id."""

    channel: str
    external_id: str
    customer_email: str
    customer_name: str
    lines: tuple[tuple[str, int], ...]  # (SKU, quantity)
    shipping_address: dict[str, str]
    shipping_method: str
    paid: bool = False
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class StartPayment(Command):
    """Ask the payment provider for a link/session for a pending order (outside any transaction)."""

    order_id: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ConfirmPayment(Command):
    provider: str
    session_id: str
    amount: int
    currency: str
    provider_payment_id: str | None = None


@dataclass(frozen=True)
class FailPayment(Command):
    provider: str
    session_id: str
    reason: str
    expired: bool = False


@dataclass(frozen=True)
class CancelOrder(Command):
    order_id: int
    reason: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class AdvanceOrder(Command):
    """Move an order along fulfilment: picking, packed, delivered, approved."""

    order_id: int
    target: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ApproveOrder(Command):
    order_id: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class RejectOrder(Command):
    """Refuse an order awaiting approval: cancelled, stock released, a full refund opened."""

    order_id: int
    reason: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ShipOrder(Command):
    order_id: int
    carrier: str
    tracking_number: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class RequestReturn(Command):
    order_id: int
    reason: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ReceiveReturn(Command):
    order_id: int
    restock: bool = True
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class RefundOrder(Command):
    """Refund ``amount`` minor units (None = everything still refundable)."""

    order_id: int
    amount: int | None
    reason: str
    actor: Actor = field(kw_only=True)
    idempotency_key: str | None = None


@dataclass(frozen=True)
class RetryRefund(Command):
    """Try a failed refund again as a new refund (a new provider idempotency key); returns its id.

    Retrying the same failed refund twice returns the same new refund."""

    refund_id: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class MarkRefundDone(Command):
    """A person refunded a payment at its provider by hand (a refund that needed action): book it."""

    refund_id: int
    reference: str  # the provider's refund id or a note of what was done
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class RecordAnalytics(Command):
    name: str
    customer_id: int | None = None
    channel: str | None = None
    product_id: int | None = None
    order_id: int | None = None
    value: int | None = None
    properties: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordAnalyticsBatch(Command):
    """Several analytics rows in one transaction (a conversation turn's), instead of one each."""

    events: tuple[RecordAnalytics, ...]


# --- support ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenTicket(Command):
    """Hand a shopper to a human. Reuses the chat's open ticket if there is one."""

    customer_id: int
    channel: str
    chat_id: str
    subject: str
    transcript: tuple[tuple[str, str], ...] = ()  # (who, text), oldest first


@dataclass(frozen=True)
class PostTicketMessage(Command):
    ticket_id: int
    text: str
    actor: Actor = field(kw_only=True)  # a shopper (their own ticket) or staff; staff replies reach the shopper's chat


@dataclass(frozen=True)
class CloseTicket(Command):
    ticket_id: int
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class LinkTicketThread(Command):
    ticket_id: int
    thread: str


# --- in-chat payments and channel reachability (Telegram) -------------------------------------------
@dataclass(frozen=True)
class OpenChatPayment(Command):
    """Open (or reuse) a payment that is paid inside the chat app (a Telegram invoice) for a pending order."""

    order_id: int
    provider: str = "telegram"
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class CheckChatPayment(Command):
    """Re-check an in-chat payment right before the money moves (Telegram's pre-checkout query).

    Returns None when it may go ahead, else a reason code: "unknown", "paid", "not_pending", "expired", "amount".
    """

    provider: str
    session_id: str
    amount: int
    currency: str


@dataclass(frozen=True)
class SetChannelReachable(Command):
    """Record that a customer can (not) be messaged on a channel (e.g. they blocked the Telegram bot)."""

    customer_id: int
    channel: str
    reachable: bool


# --- payment provider webhooks ---------------------------------------------------------------------
@dataclass(frozen=True)
class ClaimProviderEvent(Command):
    """Remember that a provider's webhook event was handled: True the first time, False for a duplicate.

    With ``peek`` it only asks, remembering nothing (the event is claimed once its effect is committed).
    """

    provider: str
    event_id: str
    peek: bool = False


@dataclass(frozen=True)
class RecordPaymentAttemptFailed(Command):
    """A payment attempt was declined on a provider page that stays open for another try (Stripe Checkout)."""

    provider: str
    order_id: int
    reason: str
    provider_payment_id: str | None = None


@dataclass(frozen=True)
class ProviderRefund:
    """A refund as the provider holds it; ``request_key`` is the idempotency key we sent, if we asked."""

    refund_id: str
    amount: int
    currency: str
    request_key: str | None = None


@dataclass(frozen=True)
class RecordProviderRefunds(Command):
    """Book the provider's refunds of a payment that we have not booked yet (e.g. made in its dashboard)."""

    provider: str
    provider_payment_id: str
    refunds: tuple[ProviderRefund, ...]


# --- campaigns (issue 8) ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CreateCampaign(Command):
    """A draft campaign; ``replace`` rewrites a draft of the same name (it needs approving again)."""

    name: str
    contents: dict[str, dict[str, object]]  # locale -> {text, image_url, skus, coupon}
    channels: tuple[str, ...]
    segment: dict[str, object]
    schedule: str = "now"  # now | at | cron
    send_at: str | None = None  # ISO 8601 with an offset, for "at"
    cron: str | None = None
    quiet_hours: tuple[str, str] = ("21:00", "09:00")
    quiet_policy: str = "defer"
    cap_messages: int = 2
    cap_days: int = 7
    attribution_days: int = 7
    trigger: str | None = None
    trigger_hours: int = 0
    single_use_coupons: bool = False  # the coupon is a template: each recipient gets a personal code
    replace: bool = False
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class SubmitCampaign(Command):
    name: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ApproveCampaign(Command):
    name: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class PauseCampaign(Command):
    name: str
    reason: str = "paused by staff"
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class ResumeCampaign(Command):
    name: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class CancelCampaign(Command):
    name: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class StartCampaignRun(Command):
    """The schedule fired (or ``campaign send``): queue a delivery per reachable recipient. Returns how many.

    ``now`` starts an approved campaign before its scheduled time."""

    campaign_id: int
    now: bool = False


@dataclass(frozen=True)
class FinishCampaignRun(Command):
    campaign_id: int


@dataclass(frozen=True)
class RunCampaignAutomations(Command):
    """Queue automation messages whose trigger has come (abandoned carts, SKUs back in stock for pending
    subscriptions, customers lapsed for a win-back). Returns how many."""

    limit: int = 500


@dataclass(frozen=True)
class SubscribeToStock(Command):
    """A shopper pressed "Notify me when it's back" on a SKU that is out of stock. Returns a
    ``StockSubscriptionResult``; pressing twice is harmless."""

    customer_id: int
    sku: str
    channel: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class NotifyBackInStock(Command):
    """Queue the back-in-stock notice for pending subscriptions whose SKU is available (``sku``: only that
    one, as the ``BackInStock`` event asks; None: all, as the automation job sweeps). Returns how many."""

    sku: str | None = None
    limit: int = 500


@dataclass(frozen=True)
class AttributeOrder(Command):
    """Credit an order to the customer's last campaign touch (delivery or click) within the window."""

    order_id: int


@dataclass(frozen=True)
class PublishMarketingMessage(Command):
    """Hand a web chat delivery to the outbox and mark it sent, in one transaction (exactly once)."""

    delivery_id: int
    worker: str
    skus: tuple[str, ...] = ()  # the products the rendered message shows (back in stock: the one asked about)
    checkout: bool = False  # an abandoned-cart reminder: show a button back to checkout


@dataclass(frozen=True)
class SendCampaignTest(Command):
    """Send the campaign as a recipient would see it, marked as a test, to the marketer's own address on
    one of its channels: a Telegram chat id, a web chat id or an e-mail address. No consent, cap or quiet
    hours apply and nothing is counted in the report; any status will do (check a draft before submitting)."""

    name: str
    channel: str
    address: str
    locale: str | None = None  # default: the campaign's first language
    actor: Actor = field(kw_only=True)
