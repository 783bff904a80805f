"""Warehouse paperwork: choose orders to pick in a warehouse, print their pick list or a packing slip as PDF.

Printing is a POST with the session's CSRF token, because it writes: the domain records who printed what on
each order (``RecordDocumentsPrinted``, event ``OrderDocumentPrinted``) and refuses staff who may not fulfil."""

from __future__ import annotations

from aiohttp import web

from admin_api.console.deps import deps
from admin_api.console.i18n import translator
from admin_api.console.pages import SESSION, page
from admin_api.console.paperwork_pdf import packing_slips_pdf, pick_list_pdf
from domain import commands_purchasing as p
from domain.errors import NotFound, ValidationFailed
from domain.model.staff import Permission

routes = web.RouteTableDef()
MAX_ORDERS = 200


def _ids(values: list[str]) -> list[int]:
    ids = []
    for value in values:
        text = str(value).strip().lstrip("#")
        if not (text.isascii() and text.isdigit() and len(text) < 19):
            raise ValidationFailed(f"{value!r} is not an order number.")
        ids.append(int(text))
    if len(ids) > MAX_ORDERS:
        raise ValidationFailed(f"Print at most {MAX_ORDERS} orders at once.")
    return ids


def _pdf(body: bytes, filename: str) -> web.Response:
    return web.Response(
        body=body,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@routes.get("/paperwork")
async def paperwork(request: web.Request) -> web.Response:
    d = deps(request)
    warehouses = await d.purchasing.warehouses()
    chosen = (request.query.get("warehouse") or (warehouses[0].code if warehouses else "")).strip().upper()
    if chosen and chosen not in {w.code for w in warehouses}:
        raise NotFound(f"No warehouse {chosen}.")
    ready = await d.purchasing.ready_to_pick(chosen) if chosen else []
    can_print = request[SESSION].as_actor().may(Permission.FULFIL)
    context = {"warehouses": warehouses, "chosen": chosen, "ready": ready, "can_print": can_print}
    return page(request, "paperwork.html", context)


@routes.post("/orders/pick-list.pdf")
async def pick_list(request: web.Request) -> web.Response:
    d, form = deps(request), await request.post()
    session = request[SESSION]
    warehouse = str(form.get("warehouse", "")).strip().upper()[:32]
    order_ids = _ids([str(v) for v in form.getall("order", [])])
    if not order_ids:
        raise ValidationFailed("Choose at least one order for the pick list.")
    pick = await d.purchasing.pick_list(warehouse, order_ids)
    if pick is None:
        raise NotFound(f"No warehouse {warehouse}.")
    if not pick.order_ids:
        raise ValidationFailed(f"None of these orders has units allocated in {pick.warehouse} to pick.")
    body = pick_list_pdf(pick, translator(session.locale), session.name, d.bus.ctx.now())
    actor = session.as_actor()
    await d.bus.handle(p.RecordDocumentsPrinted("pick_list", pick.order_ids, pick.warehouse, actor=actor))
    return _pdf(body, f"pick-list-{pick.warehouse}.pdf")


@routes.post("/orders/{order_id}/packing-slip.pdf")
async def packing_slip(request: web.Request) -> web.Response:
    d, form = deps(request), await request.post()
    session = request[SESSION]
    order_id = _ids([request.match_info["order_id"]])[0]
    warehouse = str(form.get("warehouse", "")).strip().upper()[:32] or None
    slip = await d.purchasing.packing_slip(order_id, warehouse)
    if slip is None:
        raise NotFound(f"No order {order_id}.")
    if not slip.parcels:
        raise ValidationFailed(f"Order #{order_id} has nothing allocated to pack.")
    body = packing_slips_pdf([slip], translator(session.locale), session.name, d.bus.ctx.now())
    command = p.RecordDocumentsPrinted("packing_slip", (order_id,), warehouse or "", actor=session.as_actor())
    await d.bus.handle(command)
    return _pdf(body, f"packing-slip-{order_id}.pdf")
