"""Bulk actions on the order list (each selected order through its own command, each answer reported) and the
staff member's saved views of the list (a name and the list's filters; two built in)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from admin_api.console.deps import deps
from admin_api.console.pages import PREFIX, SESSION, locale_of, page, see_other
from admin_api.console.words import refusal_text
from domain import commands as c
from domain.errors import DomainError, NotFound
from domain.model.staff import Permission
from domain.saved_views import BUILT_IN, clean_view

routes = web.RouteTableDef()
MAX_BULK = 200
BULK_ACTIONS = {"approve": Permission.APPROVE_ORDER, "packed": Permission.FULFIL}


@dataclass(frozen=True)
class Outcome:
    order_id: int
    ok: bool
    message: str  # the domain's refusal as it gave it, or "" when it was done
    code: str = ""


async def list_extras(request: web.Request, query: str) -> dict[str, Any]:
    """What the order list shows besides its rows: saved views and which bulk actions this role has."""
    session = request[SESSION]
    actor = session.as_actor()
    own = await deps(request).saved.views(session.staff_id)
    bulk = [name for name, permission in BULK_ACTIONS.items() if actor.may(permission)]
    return {"built_in": BUILT_IN, "saved": own, "bulk": bulk, "query": query}


async def _one(request: web.Request, action: str, order_id: int) -> Outcome:
    d, actor = deps(request), request[SESSION].as_actor()
    try:
        if action == "approve":
            await d.bus.handle(c.ApproveOrder(order_id, actor=actor))
        else:
            await d.bus.handle(c.AdvanceOrder(order_id, "packed", actor=actor))
    except DomainError as exc:  # one order refused does not stop the others
        return Outcome(order_id, False, refusal_text(exc, locale_of(request)), exc.code)
    return Outcome(order_id, True, "")


@routes.post("/orders/bulk")
async def bulk(request: web.Request) -> web.Response:
    form = await request.post()
    action = str(form.get("action", ""))
    if action not in BULK_ACTIONS:
        raise NotFound(f"No bulk action {action[:40]}.")
    request[SESSION].as_actor().require(BULK_ACTIONS[action])
    ids: list[int] = []
    for value in form.getall("order", []):
        text = str(value)
        if text.isascii() and text.isdigit() and len(text) < 19 and int(text) not in ids:
            ids.append(int(text))
    outcomes = [await _one(request, action, order_id) for order_id in ids[:MAX_BULK]]
    back = str(form.get("back", ""))
    back = back if back.startswith(f"{PREFIX}/orders") and "//" not in back else f"{PREFIX}/orders"
    context = {"outcomes": outcomes, "action": action, "back": back, "skipped": max(0, len(ids) - MAX_BULK)}
    return page(request, "bulk.html", context)


@routes.post("/views")
async def save_view(request: web.Request) -> web.Response:
    form, session = await request.post(), request[SESSION]
    name, query = str(form.get("name", "")), str(form.get("query", ""))
    await deps(request).saved.save(session.staff_id, name, query)
    return see_other(f"{PREFIX}/orders?{clean_view(name, query)[1]}")


@routes.post("/views/{view_id:[0-9]{1,18}}/delete")
async def delete_view(request: web.Request) -> web.Response:
    await deps(request).saved.delete(request[SESSION].staff_id, int(request.match_info["view_id"]))
    return see_other(f"{PREFIX}/orders")
