"""A fake Stripe API on loopback that speaks Stripe's wire format, for integration tests.

It does what the shop relies on, the way Stripe does it: form-encoded bodies with bracket keys, bearer
API keys, idempotency keys (same key and parameters → the first response replayed; different parameters
→ 400 ``idempotency_error``), Stripe's error JSON, Checkout Sessions and refunds with Stripe's limits.
It also plays Stripe's side of a payment (a shopper pays, a card is declined, a session expires, someone
refunds in the dashboard) and builds webhook events signed as Stripe signs them. The signature is computed
here by hand from Stripe's documented scheme, not with the library, so the test checks the library.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from domain.ports import Clock, SystemClock

API_KEY = "sk_test_chatshop_fake"
WEBHOOK_SECRET = "whsec_chatshop_fake"
API_VERSION = "2026-10-28.endive"


@dataclass
class Recorded:
    method: str
    path: str
    params: dict[str, Any]  # decoded from the bracket-keyed form (or the query string)
    raw: list[tuple[str, str]]  # the wire pairs, in order
    headers: dict[str, str]
    status: int = 0


@dataclass
class _Stored:
    fingerprint: str
    status: int
    body: dict[str, Any]


@dataclass
class FakeStripe:
    clock: Clock = field(default_factory=SystemClock)
    api_key: str = API_KEY
    webhook_secret: str = WEBHOOK_SECRET
    requests: list[Recorded] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    line_items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    payment_intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_next: list[int] = field(default_factory=list)  # statuses to answer the next requests with (outages)
    _idempotency: dict[str, _Stored] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    url: str = ""

    # --- server -----------------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/v1/checkout/sessions", self._create_session)
        app.router.add_get("/v1/checkout/sessions/{id}", self._get_session)
        app.router.add_post("/v1/checkout/sessions/{id}/expire", self._expire_session)
        app.router.add_get("/v1/payment_intents/{id}", self._get_intent)
        app.router.add_post("/v1/refunds", self._create_refund)
        app.router.add_get("/v1/refunds", self._list_refunds)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    # --- Stripe's side of a payment -----------------------------------------------------------------
    def pay(self, session_id: str) -> dict[str, Any]:
        """The shopper pays on the Checkout page: returns the checkout.session.completed event."""
        session = self.sessions[session_id]
        intent = self._intent_for(session)
        charge_id = _id("ch")
        self.charges[charge_id] = {
            "id": charge_id,
            "object": "charge",
            "amount": session["amount_total"],
            "amount_captured": session["amount_total"],
            "amount_refunded": 0,
            "currency": session["currency"],
            "payment_intent": intent["id"],
            "refunded": False,
            "status": "succeeded",
            "metadata": {},
        }
        intent.update(status="succeeded", latest_charge=charge_id, last_payment_error=None)
        session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
        return self.event("checkout.session.completed", session)

    def decline(self, session_id: str, message: str = "Your card has insufficient funds.") -> dict[str, Any]:
        """A card is declined on the Checkout page (the session stays open for another try)."""
        intent = self._intent_for(self.sessions[session_id])
        intent.update(
            status="requires_payment_method",
            last_payment_error={
                "type": "card_error",
                "code": "card_declined",
                "decline_code": "insufficient_funds",
                "message": message,
            },
        )
        return self.event("payment_intent.payment_failed", intent)

    def expire(self, session_id: str) -> dict[str, Any]:
        session = self.sessions[session_id]
        session.update(status="expired", url=None)
        return self.event("checkout.session.expired", session)

    def dashboard_refund(self, session_id: str, amount: int) -> dict[str, Any]:
        """Someone refunds in the Stripe dashboard: returns the charge.refunded event."""
        intent = self.payment_intents[self.sessions[session_id]["payment_intent"]]
        status, body = self._refund(intent["id"], amount, {})
        assert status == 200, body
        return self.charge_refunded(intent["id"])

    def charge_refunded(self, payment_intent: str) -> dict[str, Any]:
        charge = self.charges[self.payment_intents[payment_intent]["latest_charge"]]
        return self.event("charge.refunded", charge)

    def event(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": _id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(self.clock.now().timestamp()),
            "data": {"object": json.loads(json.dumps(_public(obj)))},  # a snapshot, as Stripe sends
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }

    def signed(
        self, event: dict[str, Any], *, at: int | None = None, secret: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers of Stripe's POST: ``Stripe-Signature: t=…,v1=HMAC_SHA256(secret, "t.body")``."""
        payload = json.dumps(event, indent=2)  # Stripe pretty-prints; the signature covers the exact bytes
        timestamp = int(time.time()) if at is None else at
        mac = hmac.new((secret or self.webhook_secret).encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256)
        headers = {"Stripe-Signature": f"t={timestamp},v1={mac.hexdigest()}", "Content-Type": "application/json"}
        return payload.encode(), headers

    def _intent_for(self, session: dict[str, Any]) -> dict[str, Any]:
        if session.get("payment_intent"):
            return self.payment_intents[session["payment_intent"]]
        intent_id = _id("pi")
        self.payment_intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "currency": session["currency"],
            "status": "requires_payment_method",
            "metadata": dict(session["_intent_metadata"]),
            "latest_charge": None,
            "last_payment_error": None,
        }
        session["payment_intent"] = intent_id
        return self.payment_intents[intent_id]

    # --- the API ------------------------------------------------------------------------------------
    async def _guard(self, request: web.Request) -> tuple[Recorded, web.Response | None]:
        """Record the request, check the key, and answer an idempotent replay from storage."""
        if request.method == "POST":
            raw = parse_qsl(await request.text(), keep_blank_values=True)
        else:
            raw = list(request.query.items())
        rec = Recorded(request.method, request.path, decode_form(raw), raw, dict(request.headers))
        self.requests.append(rec)
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return rec, _error(401, "invalid_request_error", "You did not provide an API key.")
        if auth.removeprefix("Bearer ") != self.api_key:
            return rec, _error(401, "invalid_request_error", "Invalid API Key provided: sk_test_****")
        if self.fail_next:
            # ``Stripe-Should-Retry: false`` stops the library's own backoff retries, keeping tests quick.
            failed = _error(self.fail_next.pop(0), "api_error", "Something went wrong on Stripe's end.")
            failed.headers["Stripe-Should-Retry"] = "false"
            return rec, failed
        key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and key:
            fingerprint = json.dumps([request.path, sorted(raw)])
            stored = self._idempotency.get(key)
            if stored is not None:
                if stored.fingerprint != fingerprint:
                    return rec, _error(
                        400,
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same parameters they were first "
                        f"used with. Try using a key other than '{key}' if you meant to execute a different request.",
                    )
                response = web.json_response(stored.body, status=stored.status)
                response.headers["Idempotent-Replayed"] = "true"
                return rec, response
        return rec, None

    def _remember(self, request: web.Request, rec: Recorded, status: int, body: dict[str, Any]) -> web.Response:
        key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and key and status < 500:
            self._idempotency[key] = _Stored(json.dumps([request.path, sorted(rec.raw)]), status, body)
        rec.status = status
        return web.json_response(body, status=status)

    async def _create_session(self, request: web.Request) -> web.Response:
        rec, early = await self._guard(request)
        if early is not None:
            rec.status = early.status
            return early
        status, body = self._new_session(rec.params)
        return self._remember(request, rec, status, body)

    def _new_session(self, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if p.get("mode") != "payment":
            return _invalid("mode", "Missing required param: mode.")
        if not p.get("success_url"):
            return _invalid("success_url", "Missing required param: success_url.")
        items = p.get("line_items")
        if not isinstance(items, list) or not items:
            return _invalid("line_items", "Missing required param: line_items.")
        currencies, total = set(), 0
        for index, item in enumerate(items):
            data = item.get("price_data", {})
            try:
                unit, quantity = int(data["unit_amount"]), int(item["quantity"])
            except (KeyError, ValueError):
                return _invalid(f"line_items[{index}][price_data][unit_amount]", "Invalid integer.")
            if unit < 0 or quantity < 1:
                return _invalid(f"line_items[{index}]", "Amounts must be non-negative, quantities positive.")
            if not data.get("product_data", {}).get("name"):
                return _invalid(f"line_items[{index}][price_data][product_data][name]", "Missing name.")
            currencies.add(data.get("currency"))
            total += unit * quantity
        if len(currencies) != 1:
            return _invalid("line_items", "All line items must use the same currency.")
        now = int(self.clock.now().timestamp())
        try:
            expires_at = int(p.get("expires_at", now + 24 * 3600))
        except ValueError:
            return _invalid("expires_at", "Invalid integer.")
        if not now + 30 * 60 <= expires_at <= now + 24 * 3600:
            return _invalid(
                "expires_at", "The `expires_at` timestamp must be between 30 minutes and 24 hours from now."
            )
        session_id = _id("cs_test")
        session = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": total,
            "amount_total": total,
            "currency": currencies.pop(),
            "expires_at": expires_at,
            "created": now,
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
            "success_url": p["success_url"],
            "cancel_url": p.get("cancel_url"),
            "client_reference_id": p.get("client_reference_id"),
            "customer_email": p.get("customer_email"),
            "metadata": p.get("metadata", {}),
            "payment_intent": None,
            "livemode": False,
        }
        self.line_items[session_id] = items
        self.sessions[session_id] = session | {"_intent_metadata": p.get("payment_intent_data", {}).get("metadata", {})}
        return 200, session

    async def _get_session(self, request: web.Request) -> web.Response:
        rec, early = await self._guard(request)
        if early is not None:
            rec.status = early.status
            return early
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            return self._remember(request, rec, *_missing("id", request.match_info["id"]))
        return self._remember(request, rec, 200, _public(session))

    async def _expire_session(self, request: web.Request) -> web.Response:
        """Stripe expires only open sessions; a completed or expired one answers 400 as below."""
        rec, early = await self._guard(request)
        if early is not None:
            rec.status = early.status
            return early
        session = self.sessions.get(request.match_info["id"])
        if session is None:
            return self._remember(request, rec, *_missing("id", request.match_info["id"]))
        if session["status"] != "open":
            body = {
                "error": {
                    "type": "invalid_request_error",
                    "message": 'Only Checkout Sessions with a status in ["open"] can be expired.',
                }
            }
            return self._remember(request, rec, 400, body)
        session.update(status="expired", url=None)
        return self._remember(request, rec, 200, _public(session))

    async def _get_intent(self, request: web.Request) -> web.Response:
        rec, early = await self._guard(request)
        if early is not None:
            rec.status = early.status
            return early
        intent = self.payment_intents.get(request.match_info["id"])
        if intent is None:
            return self._remember(request, rec, *_missing("payment_intent", request.match_info["id"]))
        return self._remember(request, rec, 200, intent)

    async def _create_refund(self, request: web.Request) -> web.Response:
        rec, early = await self._guard(request)
        if early is not None:
            rec.status = early.status
            return early
        p = rec.params
        if "payment_intent" not in p:
            return self._remember(request, rec, *_invalid("payment_intent", "Missing required param: payment_intent."))
        try:
            amount = int(p["amount"]) if "amount" in p else None
        except ValueError:
            return self._remember(request, rec, *_invalid("amount", "Invalid integer."))
        return self._remember(request, rec, *self._refund(p["payment_intent"], amount, p.get("metadata", {})))

    def _refund(self, intent_id: str, amount: int | None, metadata: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        intent = self.payment_intents.get(intent_id)
        if intent is None:
            return _missing("payment_intent", intent_id)
        if intent["status"] != "succeeded":
            return _invalid("payment_intent", f"This PaymentIntent ({intent_id}) does not have a successful charge.")
        charge = self.charges[intent["latest_charge"]]
        left = charge["amount_captured"] - charge["amount_refunded"]
        amount = left if amount is None else amount
        if left == 0:
            return _invalid("charge", f"Charge {charge['id']} has already been refunded.", "charge_already_refunded")
        if amount <= 0:
            return _invalid("amount", "Refund amount must be positive.")
        if amount > left:
            return _invalid(
                "amount",
                f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
                "amount_too_large",
            )
        refund_id = _id("re")
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "currency": charge["currency"],
            "charge": charge["id"],
            "payment_intent": intent_id,
            "status": "succeeded",
            "metadata": metadata,
            "created": int(self.clock.now().timestamp()) + len(self.refunds),
        }
        self.refunds[refund_id] = refund
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
        return 200, refund

    async def _list_refunds(self, request: web.Request) -> web.Response:
        rec, early = await self._guard(request)
        if early is not None:
            rec.status = early.status
            return early
        intent = rec.params.get("payment_intent")
        found = [r for r in self.refunds.values() if intent is None or r["payment_intent"] == intent]
        found.sort(key=lambda r: r["created"], reverse=True)  # newest first, as Stripe lists
        limit = int(rec.params.get("limit", 10))
        body = {"object": "list", "url": "/v1/refunds", "has_more": len(found) > limit, "data": found[:limit]}
        return self._remember(request, rec, 200, body)


def decode_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's bracket keys into nested values: ``line_items[0][price_data][unit_amount]=1200``."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        head, _, rest = key.partition("[")
        parts = [head] + (rest[:-1].split("][") if rest else [])
        node: Any = root
        for part, following in zip(parts, [*parts[1:], None], strict=True):
            if following is None:
                _put(node, part, value)
            else:
                child = _get(node, part)
                if child is None:
                    child = [] if following.isdigit() else {}
                    _put(node, part, child)
                node = child
    return root


def _get(node: Any, part: str) -> Any:
    if isinstance(node, list):
        index = int(part)
        return node[index] if index < len(node) else None
    return node.get(part)


def _put(node: Any, part: str, value: Any) -> None:
    if isinstance(node, list):
        index = int(part)
        while len(node) <= index:
            node.append(None)
        node[index] = value
    else:
        node[part] = value


def _public(session: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in session.items() if not k.startswith("_")}


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _error(status: int, kind: str, message: str, **extra: str) -> web.Response:
    return web.json_response({"error": {"type": kind, "message": message, **extra}}, status=status)


def _invalid(param: str, message: str, code: str | None = None) -> tuple[int, dict[str, Any]]:
    error: dict[str, Any] = {"type": "invalid_request_error", "message": message, "param": param}
    if code:
        error["code"] = code
    return 400, {"error": error}


def _missing(param: str, value: str) -> tuple[int, dict[str, Any]]:
    error = {
        "type": "invalid_request_error",
        "code": "resource_missing",
        "message": f"No such {param}: '{value}'",
        "param": param,
    }
    return 404, {"error": error}
