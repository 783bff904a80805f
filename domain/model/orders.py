"""Orders: totals frozen at placement, and a state machine that refuses illegal transitions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from domain.errors import IllegalTransition, RefundTooLarge, ValidationFailed
from domain.model.money import Money


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    PICKING = "picking"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


S = OrderStatus
# Fulfilment moves forward; cancel is possible until the parcel leaves. Refund states are reached
# by ``record_refund`` (see there), never by a plain transition.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.AWAITING_APPROVAL, S.PICKING, S.CANCELLED}),
    S.AWAITING_APPROVAL: frozenset({S.APPROVED, S.CANCELLED}),
    S.APPROVED: frozenset({S.PICKING, S.CANCELLED}),
    S.PICKING: frozenset({S.PACKED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.RETURN_REQUESTED}),
    S.DELIVERED: frozenset({S.RETURN_REQUESTED}),
    S.RETURN_REQUESTED: frozenset({S.RETURNED, S.DELIVERED}),
    S.RETURNED: frozenset(),
    S.CANCELLED: frozenset(),
    S.PARTIALLY_REFUNDED: frozenset(),
    S.REFUNDED: frozenset(),
}
# States in which stock is still held for the order (reserved or allocated, not yet shipped).
HOLDS_STOCK = frozenset({S.PENDING_PAYMENT, S.PAID, S.AWAITING_APPROVAL, S.APPROVED, S.PICKING, S.PACKED})
# States in which a shopper may cancel on their own (before anyone has started picking).
SHOPPER_CANCELLABLE = frozenset({S.PENDING_PAYMENT, S.PAID, S.AWAITING_APPROVAL, S.APPROVED})
# Derived from the transitions, so bots offering these actions can't drift from what the domain allows.
STAFF_CANCELLABLE = frozenset(s for s, targets in TRANSITIONS.items() if S.CANCELLED in targets)
RETURNABLE = frozenset(s for s, targets in TRANSITIONS.items() if S.RETURN_REQUESTED in targets)
REFUNDABLE_AFTER = frozenset({S.CANCELLED, S.RETURNED, S.PARTIALLY_REFUNDED})


class OrderLine:
    def __init__(
        self,
        variant_id: int,
        product_id: int,
        sku: str,
        name: str,
        unit_price: int,
        quantity: int,
        discount: int = 0,
    ) -> None:
        if quantity <= 0:
            raise ValidationFailed("An order line needs a positive quantity.")
        self.id: int | None = None
        self.order_id: int | None = None
        self.variant_id = variant_id
        self.product_id = product_id
        self.sku = sku
        self.name = name
        self.unit_price = unit_price
        self.quantity = quantity
        self.discount = discount

    @property
    def subtotal(self) -> int:
        return self.unit_price * self.quantity


class Order:
    def __init__(
        self,
        customer_id: int,
        channel: str,
        currency: str,
        lines: list[OrderLine],
        shipping: int,
        tax_rate_bp: int,
        shipping_method: str,
        shipping_address: dict[str, str],
        placed_at: datetime,
        coupon_code: str | None = None,
        idempotency_key: str | None = None,
        external_id: str | None = None,
    ) -> None:
        if not lines:
            raise ValidationFailed("An order needs at least one line.")
        self.id: int | None = None
        self.customer_id = customer_id
        self.channel = channel
        self.currency = currency
        self.lines = lines
        self.status = OrderStatus.PENDING_PAYMENT
        self.coupon_code = coupon_code
        self.shipping_method = shipping_method
        self.shipping_address = dict(shipping_address)
        self.subtotal = sum(line.subtotal for line in lines)
        self.discount = sum(line.discount for line in lines)
        if self.discount > self.subtotal:
            raise ValidationFailed("A discount can't exceed the subtotal.")
        self.shipping = shipping
        self.tax_rate_bp = tax_rate_bp
        self.tax = Money(self.subtotal - self.discount + shipping, currency).basis_points(tax_rate_bp).amount
        self.total = self.subtotal - self.discount + self.shipping + self.tax
        self.captured = 0
        self.refunded = 0
        self.placed_at = placed_at
        self.paid_at: datetime | None = None
        self.updated_at = placed_at
        self.reservation_expires_at: datetime | None = None
        self.carrier: str | None = None
        self.tracking_number: str | None = None
        self.cancel_reason: str | None = None
        self.return_reason: str | None = None
        self.approval_reasons: list[str] = []
        self.decided_by: str | None = None
        self.idempotency_key = idempotency_key
        self.external_id = external_id  # its id in another sales channel (unique per channel)
        self.campaign_id: int | None = None

    @property
    def ref(self) -> str:
        return f"#{self.id}" if self.id is not None else "(new)"

    @property
    def total_money(self) -> Money:
        return Money(self.total, self.currency)

    @property
    def refundable(self) -> int:
        return self.captured - self.refunded

    @property
    def holds_stock(self) -> bool:
        return self.status in HOLDS_STOCK

    def can_become(self, target: OrderStatus) -> bool:
        return target in TRANSITIONS[self.status]

    def transition(self, target: OrderStatus, at: datetime) -> None:
        if not self.can_become(target):
            raise IllegalTransition(self.ref, self.status.value, target.value)
        self.status = target
        self.updated_at = at

    def mark_paid(self, amount: int, at: datetime) -> None:
        if amount != self.total:
            raise ValidationFailed(f"Payment of {amount} does not match the order total {self.total}.")
        self.transition(OrderStatus.PAID, at)
        self.captured = amount
        self.paid_at = at
        self.reservation_expires_at = None

    def cancel(self, reason: str, at: datetime) -> None:
        self.transition(OrderStatus.CANCELLED, at)
        self.cancel_reason = reason

    def ship(self, carrier: str, tracking_number: str, at: datetime) -> None:
        if not carrier.strip() or not tracking_number.strip():
            raise ValidationFailed("Shipping needs a carrier and a tracking number.")
        if self.captured == 0:
            raise IllegalTransition(self.ref, "unpaid", OrderStatus.SHIPPED.value)
        self.transition(OrderStatus.SHIPPED, at)
        self.carrier = carrier.strip()
        self.tracking_number = tracking_number.strip()

    def request_return(self, reason: str, at: datetime) -> None:
        if not reason.strip():
            raise ValidationFailed("Please tell us why you are returning the order.")
        self.transition(OrderStatus.RETURN_REQUESTED, at)
        self.return_reason = reason.strip()[:500]

    def check_refund(self, amount: int) -> None:
        if amount <= 0:
            raise ValidationFailed("A refund must be a positive amount.")
        if amount > self.refundable:
            raise RefundTooLarge(
                f"Order {self.ref} has {Money(self.refundable, self.currency)} left to refund; "
                f"{Money(amount, self.currency)} is too much."
            )

    def record_refund(self, amount: int, at: datetime) -> None:
        """Book a refund the provider confirmed.

        A full refund ends the order (``refunded``). A partial one marks a cancelled or returned order
        ``partially_refunded``; on an order still being fulfilled it is a goodwill refund and the
        fulfilment state stays, with ``refunded`` telling the amount.
        """
        self.check_refund(amount)
        self.refunded += amount
        self.updated_at = at
        if self.refunded == self.captured:
            self.status = OrderStatus.REFUNDED
        elif self.status in REFUNDABLE_AFTER:
            self.status = OrderStatus.PARTIALLY_REFUNDED

    @property
    def financial_status(self) -> str:
        if self.captured == 0:
            return "unpaid"
        if self.refunded == 0:
            return "paid"
        return "refunded" if self.refunded >= self.captured else "partially_refunded"


class Shipment:
    def __init__(self, order_id: int, carrier: str, tracking_number: str, at: datetime) -> None:
        self.id: int | None = None
        self.order_id = order_id
        self.carrier = carrier
        self.tracking_number = tracking_number
        self.shipped_at = at


def tracking_url(carrier: str, tracking_number: str) -> str:
    """A public tracking page for well-known carriers, else a generic tracker search."""
    from urllib.parse import quote

    number = quote(tracking_number)
    known = {
        "ups": f"https://www.ups.com/track?tracknum={number}",
        "usps": f"https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
        "fedex": f"https://www.fedex.com/fedextrack/?trknbr={number}",
        "dhl": f"https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
        "sf": f"https://www.sf-express.com/chn/en/waybill/waybill-detail/{number}",
    }
    return known.get(carrier.strip().lower(), f"https://parcelsapp.com/en/tracking/{number}")
