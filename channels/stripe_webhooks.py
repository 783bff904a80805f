"""``POST /webhooks/stripe``: Stripe's events, verified and turned into payment commands.

The raw body is verified with ``stripe.Webhook.construct_event`` (HMAC over the exact bytes, and a
timestamp no older than five minutes, which stops replays of captured requests); anything else is a 400
and changes nothing. Events are handled once by id: a duplicate is answered 200 untouched. The id is
remembered only after the effect is committed, so a crash in between means Stripe delivers it again, and
every effect below is idempotent by state (a paid order stays paid, a known refund id is not booked again).

Answers: 200 when handled or not ours (unknown session, other integrations on the same account), 400 for
a bad signature or body, 500 on anything unexpected (including a domain error such as a refund arriving
before its payment), so that Stripe retries with backoff and the failure shows in its dashboard.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import stripe
from aiohttp import web

from domain import commands as c
from domain.adapters.payments.stripe import NAME, StripePaymentProvider
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.service_layer.messagebus import MessageBus

log = logging.getLogger(__name__)

PATH = "/webhooks/stripe"
TOLERANCE_SECONDS = 300

# The events to enable on the Stripe webhook endpoint (docs/connect-stripe.md lists them too).
EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "payment_intent.payment_failed",
    "charge.refunded",
)


class StripeWebhook:
    def __init__(self, bus: MessageBus, secret: str, provider: StripePaymentProvider) -> None:
        self.bus = bus
        self.secret = secret
        self.provider = provider
        self.handlers: dict[str, Callable[[dict[str, Any]], Awaitable[str]]] = {
            "checkout.session.completed": self.session_completed,
            "checkout.session.async_payment_succeeded": self.session_completed,
            "checkout.session.async_payment_failed": self.session_payment_failed,
            "checkout.session.expired": self.session_expired,
            "payment_intent.payment_failed": self.intent_failed,
            "charge.refunded": self.charge_refunded,
        }

    async def receive(self, request: web.Request) -> web.Response:
        raw = await request.read()  # the exact bytes: the signature covers them, not a re-encoding
        try:
            event = stripe.Webhook.construct_event(
                raw, request.headers.get("Stripe-Signature"), self.secret, tolerance=TOLERANCE_SECONDS
            )
            kind, event_id = str(event.type), str(event.id)
            obj: dict[str, Any] = event.data.object.to_dict()
        except (stripe.SignatureVerificationError, ValueError, AttributeError, KeyError) as exc:
            # ValueError covers a body that is not UTF-8 JSON; the others a JSON that is not an event.
            log.warning("rejected a Stripe webhook: %s", exc)
            return web.json_response({"error": "invalid signature or payload"}, status=400)
        handler = self.handlers.get(kind)
        if handler is None:
            return web.json_response({"received": True, "outcome": "ignored"})
        try:
            if not await self.bus.handle(c.ClaimProviderEvent(NAME, event_id, peek=True)):
                return web.json_response({"received": True, "outcome": "duplicate"})
            try:
                outcome = await handler(obj)
            except NotFound as exc:
                log.info("Stripe event %s (%s) is not about one of our payments: %s", event_id, kind, exc.message)
                outcome = "not ours"
            await self.bus.handle(c.ClaimProviderEvent(NAME, event_id))
        except DomainError as exc:
            log.error("Stripe event %s (%s) could not be applied: %s", event_id, kind, exc.message)
            return web.json_response({"error": exc.message}, status=500)
        except Exception:
            log.exception("Stripe event %s (%s) failed", event_id, kind)
            return web.json_response({"error": "internal error"}, status=500)
        return web.json_response({"received": True, "outcome": outcome})

    async def session_completed(self, session: dict[str, Any]) -> str:
        # Delayed methods (bank debits) complete the session unpaid; async_payment_succeeded follows.
        if session.get("payment_status") not in ("paid", "no_payment_required"):
            return "awaiting payment"
        intent = session.get("payment_intent")
        status = str(
            await self.bus.handle(
                c.ConfirmPayment(NAME, session["id"], int(session["amount_total"]), session["currency"], intent)
            )
        )
        # Money that arrived after the order closed has an automatic refund waiting: the outbox asks Stripe
        # for it right after this commit (RefundRequested), so a crash here can't lose it.
        return status

    async def session_payment_failed(self, session: dict[str, Any]) -> str:
        return str(await self.bus.handle(c.FailPayment(NAME, session["id"], "the payment did not go through")))

    async def session_expired(self, session: dict[str, Any]) -> str:
        # Releases the stock at once; the shopper hears of it through the outbox (ReservationExpired).
        return str(await self.bus.handle(c.FailPayment(NAME, session["id"], "payment link expired", expired=True)))

    async def intent_failed(self, intent: dict[str, Any]) -> str:
        # A decline on an open Checkout page: the shopper may try another card, so the order stays open.
        order_id = str((intent.get("metadata") or {}).get("order_id", ""))
        if not (order_id.isascii() and order_id.isdigit()):
            raise NotFound(f"payment intent {intent.get('id')} has no order")
        error = intent.get("last_payment_error") or {}
        reason = str(error.get("message") or error.get("decline_code") or "payment declined")
        return str(await self.bus.handle(c.RecordPaymentAttemptFailed(NAME, int(order_id), reason, intent.get("id"))))

    async def charge_refunded(self, charge: dict[str, Any]) -> str:
        intent = charge.get("payment_intent")
        if not intent:
            raise NotFound(f"charge {charge.get('id')} has no payment intent")
        # Stripe's charge no longer embeds its refunds; list them, with the metadata we set on ours.
        refunds = tuple(
            c.ProviderRefund(r.refund_id, r.amount, r.currency, r.idempotency_key)
            for r in await self.provider.refunds_of(str(intent))
            if r.counts
        )
        try:
            booked = int(await self.bus.handle(c.RecordProviderRefunds(NAME, str(intent), refunds)))
        except NotFound:
            # Unknown intent: another integration's, or ours with the payment's own event still on its way
            # (deliveries are unordered). Ours must not be acknowledged yet, or the refund is never booked.
            order_id = await self.provider.order_of_intent(str(intent))
            if order_id is None:
                raise
            raise ValidationFailed(f"Refunds of order #{order_id} arrived before its payment; retry later.") from None
        return f"{booked} refund(s) booked"


STRIPE_WEBHOOK_KEY = web.AppKey("stripe_webhook", StripeWebhook)


def setup(app: web.Application, bus: MessageBus, webhook_secret: str, provider: StripePaymentProvider) -> None:
    """Mount ``POST /webhooks/stripe`` (``chatshop.app`` calls this when a webhook secret is set)."""
    webhook = StripeWebhook(bus, webhook_secret, provider)
    app[STRIPE_WEBHOOK_KEY] = webhook
    app.router.add_post(PATH, webhook.receive)
