"""Refunds and notes from an order's page: full or part, in the order's currency, with a reason; the same domain command
Slack and the API use (``RefundOrder``), run as the signed-in staff member, who must be allowed to refund."""

from __future__ import annotations

import secrets

from aiohttp import web

from admin_api.console.deps import deps
from admin_api.console.order_routes import _order_id
from admin_api.console.pages import PREFIX, SESSION, see_other
from domain import commands as c
from domain.commands_console import AddOrderNote
from domain.errors import NotFound, ValidationFailed
from domain.model.money import Money

routes = web.RouteTableDef()


def _amount(text: str, currency: str) -> int:
    try:
        amount = Money.parse(text, currency).amount
    except (ValueError, ArithmeticError):
        raise ValidationFailed(f"{text[:40]} is not an amount in {currency} (like 12.50).") from None
    if amount <= 0:
        raise ValidationFailed("A refund is a positive amount.")
    return amount


@routes.post("/orders/{order_id}/refund")
async def refund(request: web.Request) -> web.Response:
    d, order_id = deps(request), _order_id(request)
    form, actor = await request.post(), request[SESSION].as_actor()
    order = await d.views.order(order_id)
    if order is None:
        raise NotFound(f"No order {order_id}.")
    reason = str(form.get("reason", "")).strip()[:500]
    if not reason:
        raise ValidationFailed("Say why: the shopper and the books keep it.")
    text = str(form.get("amount", "")).strip()
    amount = _amount(text, order.currency) if text else None  # empty: all that is still refundable
    # One refund per form shown: a second press (or a resent POST) of the same form is the same refund.
    key = str(form.get("key", "")).strip()[:60] or secrets.token_urlsafe(16)
    command = c.RefundOrder(order_id, amount, reason, actor=actor, idempotency_key=f"console:{order_id}:{key}")
    status = await d.bus.refund(command)
    return see_other(f"{PREFIX}/orders/{order_id}?done=refund_{status}")


@routes.post("/orders/{order_id}/note")
async def note(request: web.Request) -> web.Response:
    d, order_id = deps(request), _order_id(request)
    form = await request.post()
    text = str(form.get("text", ""))[:4000]
    await d.bus.handle(AddOrderNote(order_id, text, actor=request[SESSION].as_actor()))
    return see_other(f"{PREFIX}/orders/{order_id}?done=noted#h-timeline")
