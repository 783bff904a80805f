"""Orders: the list (filters, paging) and an order's page with its actions, each a domain command run as the
signed-in staff member; the domain decides whether they may (the buttons shown only mirror it)."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from admin_api.console.bulk_routes import list_extras
from admin_api.console.deps import deps
from admin_api.console.pages import PREFIX, SESSION, page, see_other
from admin_api.console.words import DONE_WORDS
from domain import commands as c
from domain.errors import NotFound, ValidationFailed
from domain.model.customers import Channel
from domain.model.orders import TRANSITIONS, OrderStatus
from domain.model.staff import Actor, Permission
from domain.views.admin import OrderFilter

routes = web.RouteTableDef()
CHANNELS = tuple(ch.value for ch in Channel)
STATES = tuple(s.value for s in OrderStatus)


def _day(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{field} must be a date like 2026-12-06.") from None


def _start(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def order_filter(query: Any) -> OrderFilter:
    """The list's query string as the admin views' filter; "needs approval" is the awaiting_approval state;
    ``state`` may come more than once (a saved view: paid or approved)."""
    states = [s for s in query.getall("state", []) if s][: len(STATES)]
    if query.get("needs_approval"):
        states = [OrderStatus.AWAITING_APPROVAL.value]
    for state in states:
        if state not in STATES:
            raise ValidationFailed(f"There is no order state {state}.")
    until = _day(query.get("until"), "Placed until")
    return OrderFilter(
        status=states[0] if len(states) == 1 else None,
        statuses=tuple(states) if len(states) > 1 else (),
        channel=query.get("channel") or None,
        created_from=_start(_day(query.get("from"), "Placed from")),
        created_to=_start(until + timedelta(days=1)) if until else None,
        search=(query.get("q") or "").strip()[:200] or None,
    )


@routes.get("/orders")
async def orders(request: web.Request) -> web.Response:
    d, q = deps(request), request.query
    filters = order_filter(q)
    after = q.get("after", "")
    cursor = ("", int(after)) if after.isascii() and after.isdigit() and len(after) < 19 else None
    size = d.settings.page_size
    rows = await d.admin.orders(filters, size + 1, cursor)
    kept = [(k, v) for k, v in q.items() if k != "after" and v]
    more = f"{PREFIX}/orders?" + urlencode([*kept, ("after", rows[size - 1].id)]) if len(rows) > size else None
    first = f"{PREFIX}/orders?" + urlencode(kept) if cursor else None
    context = {"rows": rows[:size], "q": q, "states": STATES, "channels": CHANNELS, "more": more, "first": first}
    context |= await list_extras(request, urlencode(kept))
    return page(request, "orders.html", context)


def actions(actor: Actor, status: str) -> dict[str, bool]:
    """Which forms the page offers: what the state machine allows from here and the role may do."""
    allowed = TRANSITIONS.get(OrderStatus(status), frozenset()) if status in STATES else frozenset()
    S = OrderStatus
    return {
        "approve": S.APPROVED in allowed and actor.may(Permission.APPROVE_ORDER),
        "reject": S.APPROVED in allowed and actor.may(Permission.APPROVE_ORDER),
        "picking": S.PICKING in allowed and actor.may(Permission.FULFIL),
        "packed": S.PACKED in allowed and actor.may(Permission.FULFIL),
        "ship": S.SHIPPED in allowed and actor.may(Permission.FULFIL),
        "delivered": S.DELIVERED in allowed and actor.may(Permission.FULFIL),
        "cancel": S.CANCELLED in allowed and actor.may(Permission.CANCEL_ORDER),
    }


def _done(word: str | None) -> str | None:
    return DONE_WORDS.get(word, word) if word else None


def _order_id(request: web.Request) -> int:
    text = request.match_info["order_id"]
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        raise NotFound(f"No order {text}.")
    return int(text)


@routes.get("/orders/{order_id}")
async def order(request: web.Request) -> web.Response:
    d, order_id = deps(request), _order_id(request)
    view = await d.views.order(order_id)
    extras = await d.admin.order_extras(order_id)
    if view is None or extras is None:
        raise NotFound(f"No order {order_id}.")
    money = await d.views.order_money(order_id)
    actor = request[SESSION].as_actor()
    can = actions(actor, view.status)
    # Refunds are offered while money is held back (the domain refuses more than was captured less refunded).
    can_refund = actor.may(Permission.REFUND) and view.captured > view.refunded
    timeline = await d.more.order_timeline(order_id)
    context = {"o": view, "x": extras, "money": money, "can": can, "done": _done(request.query.get("done"))}
    context |= {"can_refund": can_refund, "timeline": timeline, "refund_key": secrets.token_urlsafe(12)}
    context["can_note"] = actor.may(Permission.FULFIL)
    return page(request, "order.html", context)


@routes.post("/orders/{order_id}/{action:(approve|reject|ship|cancel|picking|packed|delivered)}")
async def act(request: web.Request) -> web.Response:
    d, order_id, action = deps(request), _order_id(request), request.match_info["action"]
    form, actor = await request.post(), request[SESSION].as_actor()
    text = {k: str(form.get(k, "")).strip()[:500] for k in ("reason", "carrier", "tracking_number")}
    if action == "approve":
        await d.bus.handle(c.ApproveOrder(order_id, actor=actor))
    elif action == "reject":
        await d.bus.cancel(c.RejectOrder(order_id, text["reason"] or "rejected by staff", actor=actor))
    elif action == "cancel":
        await d.bus.cancel(c.CancelOrder(order_id, text["reason"] or "cancelled by staff", actor=actor))
    elif action == "ship":
        await d.bus.handle(c.ShipOrder(order_id, text["carrier"], text["tracking_number"], actor=actor))
    else:
        await d.bus.handle(c.AdvanceOrder(order_id, action, actor=actor))
    done = {"approve": "approved", "reject": "rejected", "cancel": "cancelled", "ship": "shipped"}
    return see_other(f"{PREFIX}/orders/{order_id}?done={done.get(action, 'advanced')}")
