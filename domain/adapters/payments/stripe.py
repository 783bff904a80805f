"""Stripe Checkout behind the ``PaymentProvider`` port, through the official ``stripe`` library.

Calls use the library's ``*_async`` methods on its aiohttp HTTP client: real non-blocking I/O on the
shop's event loop, no thread pool, and no extra dependency (aiohttp is already ours; the library's
default async client would need httpx). Every POST carries our idempotency key, so the library's own
network retries and our retries of a whole command can never create a second session or refund.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe

from domain.errors import PaymentFailed
from domain.ports import Clock, PaymentSession, PaymentSessionRequest, RefundRequest, RefundResult

log = logging.getLogger(__name__)

NAME = "stripe"
DEFAULT_API_URL = "https://api.stripe.com"

# Stripe refuses a Checkout Session whose ``expires_at`` is less than 30 minutes or more than 24 hours
# away. We keep a minute of margin each side for clock skew and the request's own travel time.
MIN_SESSION_LIFETIME = timedelta(minutes=31)
MAX_SESSION_LIFETIME = timedelta(hours=24) - timedelta(minutes=1)
# The shop's stock reservation when Stripe is on is raised to at least this (see chatshop.bootstrap), so
# a payment link started within the first few minutes after checkout expires exactly with the reservation.
MIN_RESERVATION_MINUTES = 35

# Refund states in which the money is on its way back. Card refunds are ``succeeded`` at once; ``pending``
# ones (some payment methods) are counted by Stripe in ``amount_refunded`` too, so we count them as well.
REFUNDED_STATES = frozenset({"succeeded", "pending"})


@dataclass(frozen=True)
class StripeRefund:
    """A refund as Stripe lists it for a payment intent (ours or made in the dashboard)."""

    refund_id: str
    amount: int
    currency: str
    status: str
    idempotency_key: str | None  # set by us in ``metadata`` when we asked for the refund

    @property
    def counts(self) -> bool:
        return self.status in REFUNDED_STATES


def session_expiry(wanted: datetime, now: datetime) -> datetime:
    """The ``expires_at`` Stripe will accept that is closest to the reservation's end, to the second."""
    earliest, latest = now + MIN_SESSION_LIFETIME, now + MAX_SESSION_LIFETIME
    if wanted < earliest:
        # Round up to the minute so that a retry within the same minute sends identical parameters.
        return _ceil_minute(earliest)
    if wanted > latest:
        return latest.replace(second=0, microsecond=0)
    return wanted.replace(microsecond=0)


def _ceil_minute(at: datetime) -> datetime:
    floor = at.replace(second=0, microsecond=0)
    return floor if floor == at else floor + timedelta(minutes=1)


def checkout_line_items(request: PaymentSessionRequest) -> list[dict[str, Any]]:
    """Line items that add up to exactly ``request.amount`` in minor units.

    Our lines carry undiscounted unit prices; the order total also holds shipping, tax and discounts. A
    positive remainder becomes one "Shipping and tax" line. Stripe has no negative line items, so when a
    discount outweighs shipping and tax the order is sent as a single line with the items described.
    """
    currency = request.currency.lower()

    def item(name: str, unit_amount: int, quantity: int, description: str | None = None) -> dict[str, Any]:
        product: dict[str, Any] = {"name": name[:250]}
        if description:
            product["description"] = description[:500]
        return {
            "price_data": {"currency": currency, "unit_amount": unit_amount, "product_data": product},
            "quantity": quantity,
        }

    items = [item(line.name, line.unit_amount, line.quantity) for line in request.lines]
    remainder = request.amount - sum(line.unit_amount * line.quantity for line in request.lines)
    if remainder > 0:
        items.append(item("Shipping and tax", remainder, 1))
    elif remainder < 0:
        described = ", ".join(f"{line.quantity} × {line.name}" for line in request.lines)
        items = [item(f"Order #{request.order_id}", request.amount, 1, f"{described} (discount applied)")]
    return items


def _as_datetime(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _error_text(exc: stripe.StripeError) -> str:
    return exc.user_message or str(exc) or type(exc).__name__


class StripePaymentProvider:
    name = NAME

    def __init__(
        self,
        api_key: str,
        clock: Clock,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float = 20.0,
        max_network_retries: int = 2,
    ) -> None:
        self.clock = clock
        self._http = stripe.AIOHTTPClient(timeout=timeout)
        self.client = stripe.StripeClient(
            api_key,
            base_addresses={"api": api_url.rstrip("/")},
            http_client=self._http,
            max_network_retries=max_network_retries,
        )

    async def aclose(self) -> None:
        """Close the HTTP session (it belongs to the event loop that first used it)."""
        await self._http.close_async()  # type: ignore[no-untyped-call]

    async def create_session(self, request: PaymentSessionRequest) -> PaymentSession:
        if request.amount <= 0:
            raise PaymentFailed("A payment needs a positive amount.")
        now = self.clock.now()
        expires_at = session_expiry(request.expires_at, now)
        key = request.idempotency_key
        if expires_at != request.expires_at.replace(microsecond=0):
            # The reservation is shorter than Stripe allows (or longer): the session lives longer (shorter)
            # than the stock hold, and its expiry depends on *now*. A retry in another minute would send a
            # different expires_at under the same key, which Stripe rejects as an idempotency_error, so the
            # key names the expiry too. A session made by a crashed attempt was never shown to anyone.
            key = f"{key}-until-{int(expires_at.timestamp())}"
        order_ref = str(request.order_id)
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": checkout_line_items(request),
            "expires_at": int(expires_at.timestamp()),
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "client_reference_id": order_ref,
            "metadata": {"order_id": order_ref},
            # Copied onto the payment intent so payment_intent.* webhooks can be traced to the order.
            "payment_intent_data": {"metadata": {"order_id": order_ref}},
        }
        if request.customer_email:
            params["customer_email"] = request.customer_email
        try:
            session = await self.client.v1.checkout.sessions.create_async(
                params,  # type: ignore[arg-type]  # a plain dict built above; TypedDict params are too strict
                {"idempotency_key": key},
            )
        except (stripe.InvalidRequestError, stripe.CardError) as exc:
            # Something about this order Stripe won't take (currency, amount): say what, it may be fixable.
            log.warning("Stripe refused a checkout session for order %s: %s", request.order_id, exc)
            raise PaymentFailed(f"We couldn't start the card payment: {_error_text(exc)}") from exc
        except stripe.StripeError as exc:
            # Our key, Stripe's availability or the network: the operators' problem, not the shopper's.
            log.error("Stripe checkout session for order %s failed: %r", request.order_id, exc)
            raise PaymentFailed("Card payments are not available right now; please try again shortly.") from exc
        if not session.url:
            raise PaymentFailed("Stripe did not return a payment page for this order.")
        return PaymentSession(session.id, session.url, _as_datetime(session.expires_at))

    async def refund(self, request: RefundRequest) -> RefundResult:
        """Refund through ``POST /v1/refunds``; Stripe's refusals are final, outages raise (and are retried)."""
        payment_intent = request.provider_payment_id or await self._payment_intent_of(request.session_id)
        if payment_intent is None:
            return RefundResult("", False, "that payment was never captured")
        params: dict[str, Any] = {
            "payment_intent": payment_intent,
            "amount": request.amount,
            # Lets a charge.refunded webhook recognise a refund we asked for before we booked it.
            "metadata": {"idempotency_key": request.idempotency_key, "reason": request.reason[:500]},
        }
        try:
            refund = await self.client.v1.refunds.create_async(
                params,  # type: ignore[arg-type]
                {"idempotency_key": request.idempotency_key},
            )
        except (stripe.InvalidRequestError, stripe.CardError, stripe.PermissionError) as exc:
            # A definite "no" (above the captured amount, already refunded, disputed…): the refund fails.
            return RefundResult("", False, _error_text(exc)[:500])
        # Anything else (network, 5xx, rate limit, auth) propagates: the refund stays pending and the
        # retry job asks again with the same idempotency key.
        if refund.status in REFUNDED_STATES:
            return RefundResult(refund.id, True)
        reason = getattr(refund, "failure_reason", None)  # a StripeObject raises on absent fields
        return RefundResult(refund.id, False, reason or f"refund {refund.status}")

    async def close_session(self, session_id: str) -> None:
        """Expire an open Checkout Session (``POST /v1/checkout/sessions/{id}/expire``) so it takes no money.

        Stripe refuses to expire a session that is no longer open (paid or expired already): that is the
        outcome we wanted or a payment that is already on its way to us, which the shop refunds when its
        webhook arrives. Outages raise, so the outbox asks again."""
        try:
            await self.client.v1.checkout.sessions.expire_async(session_id)
        except stripe.InvalidRequestError as exc:
            log.info("Stripe session %s not expired: %s", session_id, _error_text(exc))

    async def refunds_of(self, payment_intent: str) -> list[StripeRefund]:
        """Every refund of a payment intent, ours and the dashboard's, oldest first."""
        listed = await self.client.v1.refunds.list_async({"payment_intent": payment_intent, "limit": 100})
        out = []
        async for refund in listed.auto_paging_iter():
            metadata: Any = refund.metadata or {}
            # A StripeObject, not a dict (no ``.get`` since stripe 15): test membership, then index.
            key = metadata["idempotency_key"] if "idempotency_key" in metadata else None  # noqa: SIM401
            out.append(StripeRefund(refund.id, refund.amount, refund.currency.upper(), refund.status or "", key))
        return out[::-1]  # Stripe lists newest first

    async def order_of_intent(self, payment_intent: str) -> int | None:
        """The shop order a payment intent belongs to (the metadata our sessions put on it), if any."""
        intent = await self.client.v1.payment_intents.retrieve_async(payment_intent)
        metadata: Any = intent.metadata or {}
        order_id = str(metadata["order_id"]) if "order_id" in metadata else ""
        return int(order_id) if order_id.isascii() and order_id.isdigit() else None

    async def _payment_intent_of(self, session_id: str) -> str | None:
        session = await self.client.v1.checkout.sessions.retrieve_async(session_id)
        intent = session.payment_intent
        if intent is None:
            return None
        return intent if isinstance(intent, str) else intent.id
