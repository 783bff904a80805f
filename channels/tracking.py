"""``POST /integrations/tracking``: carriers' (or a shipping platform's) tracking updates, signed.

One generic JSON body, whoever sends it::

    {"tracking_number": "1Z999AA10123456784", "status": "delivered",
     "carrier": "UPS", "description": "Left at front door", "occurred_at": "2026-12-06T14:03:00Z"}

``status`` is one of ``shipped``, ``in_transit``, ``out_for_delivery``, ``delivered``, ``exception``;
``tracking_number`` and ``status`` are required, the rest optional. ``shipped`` for a parcel the shop has
no tracking number for yet also takes ``order_id`` (the shop's order number) and ``carrier``: the order,
if paid and not waiting for approval, ships with that carrier and number and the shopper is told.

Requests are signed per Standard Webhooks (headers ``webhook-id``, ``webhook-timestamp``,
``webhook-signature``; any Standard Webhooks library signs them) with the secret of one integration
(``CHATSHOP_TRACKING_SECRETS="name=whsec_…,other=whsec_…"``); the secret that verifies names the
integration. A replayed ``webhook-id`` changes nothing.

Answers: 200 with ``{"result": …}`` when understood, including tracking numbers no order has (logged, so a
carrier that sends every parcel of the account gets no error storm) and updates an order can't take; 401
for a missing or bad signature; 400 for a body that is not the format above.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from domain.commands_tracking import TRACKING_STATUSES, RecordTrackingUpdate
from domain.errors import ValidationFailed
from domain.model.staff import Actor
from domain.service_layer.messagebus import MessageBus

log = logging.getLogger(__name__)

PATH = "/integrations/tracking"
MAX_BODY = 64 * 1024


def parse_secrets(text: str) -> dict[str, str]:
    """``"name=whsec_…,other=whsec_…"`` -> {name: secret}; ValueError says what is wrong."""
    found: dict[str, str] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, sep, secret = part.partition("=")
        if not sep or not name.strip() or not secret.strip():
            raise ValueError("CHATSHOP_TRACKING_SECRETS is name=secret pairs separated by commas")
        Webhook(secret.strip())  # a secret the library can't use fails at start-up, not per request
        found[name.strip()] = secret.strip()
    return found


def _problem(status: int, detail: str) -> web.Response:
    body = {"type": "about:blank", "title": web.Response(status=status).reason, "status": status, "detail": detail}
    return web.Response(status=status, text=json.dumps(body), content_type="application/problem+json")


class TrackingEndpoint:
    def __init__(self, bus: MessageBus, secrets: dict[str, str]) -> None:
        self.bus = bus
        self.verifiers = {name: Webhook(secret) for name, secret in secrets.items()}

    def integration(self, raw: bytes, headers: dict[str, str]) -> str | None:
        for name, verifier in self.verifiers.items():
            try:
                verifier.verify(raw, headers, json_parse=False)
            except WebhookVerificationError:
                continue
            return name
        return None

    async def receive(self, request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY:
            return _problem(413, "A tracking update is at most 64 KiB.")
        raw = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        name = self.integration(raw, headers)
        if name is None:
            return _problem(401, "Missing or bad signature (Standard Webhooks, with this integration's secret).")
        try:
            body = json.loads(raw)
            command = self.command(name, headers["webhook-id"], body)
        except (ValueError, TypeError, KeyError) as exc:
            return _problem(400, str(exc) if isinstance(exc, ValueError) else f"Not a tracking update: {exc!r}")
        try:
            result = str(await self.bus.handle(command))
        except ValidationFailed as exc:
            return _problem(400, exc.message)
        if result == "unknown":
            log.info("tracking update from %s for unknown number %r ignored", name, command.tracking_number)
        return web.json_response({"result": result})

    def command(self, integration: str, message_id: str, body: Any) -> RecordTrackingUpdate:
        if not isinstance(body, dict):
            raise ValueError("The body must be a JSON object.")
        number, status = body.get("tracking_number"), body.get("status")
        if not isinstance(number, str) or not isinstance(status, str):
            raise ValueError("tracking_number and status are required strings.")
        if status not in TRACKING_STATUSES:
            raise ValueError(f"status must be one of {', '.join(TRACKING_STATUSES)}.")
        carrier, description = body.get("carrier", ""), body.get("description", "")
        if not isinstance(carrier, str) or not isinstance(description, str):
            raise ValueError("carrier and description must be strings.")
        order_id = body.get("order_id")
        if order_id is not None and (not isinstance(order_id, int) or isinstance(order_id, bool) or order_id < 1):
            raise ValueError("order_id must be the shop's order number (a positive integer).")
        return RecordTrackingUpdate(
            number,
            status,
            actor=Actor.system(f"tracking:{integration}"),
            carrier=carrier[:60],
            description=description,
            update_id=f"{integration}:{message_id}"[:255],
            order_id=order_id,
        )


def setup(app: web.Application, bus: MessageBus, secrets: dict[str, str]) -> None:
    app.router.add_post(PATH, TrackingEndpoint(bus, secrets).receive)
