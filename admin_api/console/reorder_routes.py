"""Reorder suggestions (issue 20): every SKU × warehouse that should be ordered, why, its days of cover and its
supplier; one button drafts purchase orders for the ticked ones, one per supplier, through the domain command
(which checks the role). The form carries a key made when the page was drawn, so sending it twice drafts once."""

from __future__ import annotations

import secrets

from aiohttp import web

from admin_api.console.deps import deps
from admin_api.console.pages import PREFIX, SESSION, page, see_other
from domain import commands_reorder as r
from domain.errors import ValidationFailed
from domain.model.staff import Permission

routes = web.RouteTableDef()


@routes.get("/purchasing/suggestions")
async def suggestions(request: web.Request) -> web.Response:
    views = deps(request).reorder
    found = await views.suggestions() if views is not None else []
    wanted = [s for s in found if s.quantity > 0]
    context = {
        "rows": wanted,
        "orderable": sum(1 for s in wanted if s.orderable),
        "no_supplier": sorted({s.input.sku for s in wanted if s.input.supplier_id is None}),
        "covered": len(found) - len(wanted),
        "forecasted": bool(found),
        "can_buy": request[SESSION].as_actor().may(Permission.MANAGE_PURCHASING),
        "key": secrets.token_urlsafe(18),
        "drafted": request.query.get("drafted", ""),
        "skipped": request.query.get("skipped", ""),
    }
    return page(request, "suggestions.html", context)


@routes.post("/purchasing/suggestions")
async def draft(request: web.Request) -> web.Response:
    form = await request.post()
    items = []
    for value in form.getall("pick", []):
        sku, _, quantity = str(value).rpartition(":")
        if not (sku and quantity.isascii() and quantity.isdigit() and len(quantity) < 9):
            raise ValidationFailed(f"Not a suggestion: {str(value)[:80]!r}.")
        items.append((sku[:64], int(quantity)))
    command = r.DraftReorderPurchaseOrders(
        tuple(items), str(form.get("key", ""))[:64], actor=request[SESSION].as_actor()
    )
    result = await deps(request).bus.handle(command)
    drafted = ",".join(str(i) for i in result.po_ids)
    return see_other(f"{PREFIX}/purchasing/suggestions?drafted={drafted}&skipped={len(result.skipped)}")
