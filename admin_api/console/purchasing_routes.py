"""Purchasing pages: suppliers, purchase orders (list by state, create, send, cancel, receive), stock valuation at
average cost per warehouse with bin locations. Every change is a domain command run as the signed-in staff
member; forms only turn text into the command's values."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from admin_api.console.deps import deps
from admin_api.console.pages import PREFIX, SESSION, page, see_other
from domain import commands_purchasing as p
from domain.errors import NotFound, ValidationFailed
from domain.model.money import Money
from domain.model.purchasing import POStatus, PurchaseOrderChanged
from domain.model.staff import Permission

routes = web.RouteTableDef()
PO_STATES = tuple(s.value for s in POStatus)
NEW_PO_ROWS = 8


def _text(form: Any, name: str, limit: int = 200) -> str:
    return str(form.get(name, "")).strip()[:limit]


def _whole(text: str, field: str) -> int:
    text = text.strip()
    if not (text.lstrip("-").isascii() and text.lstrip("-").isdigit() and len(text) < 10):
        raise ValidationFailed(f"{field} must be a whole number; not {text!r}.")
    return int(text)


def _cost(text: str, currency: str, sku: str) -> int:
    try:
        return Money.parse(text, currency).amount
    except ValueError:
        raise ValidationFailed(f"The unit cost of {sku} must be an amount like 12.50 in {currency}.") from None


def _po_id(request: web.Request) -> int:
    text = request.match_info["po_id"]
    if not (text.isascii() and text.isdigit() and len(text) < 19):
        raise NotFound(f"No purchase order {text}.")
    return int(text)


def _may_buy(request: web.Request) -> bool:
    return request[SESSION].as_actor().may(Permission.MANAGE_PURCHASING)


# --- suppliers -------------------------------------------------------------------------------------------
@routes.get("/suppliers")
async def suppliers(request: web.Request) -> web.Response:
    rows = await deps(request).purchasing.suppliers()
    context = {"rows": rows, "can_buy": _may_buy(request), "done": request.query.get("done")}
    return page(request, "suppliers.html", context)


@routes.post("/suppliers")
async def create_supplier(request: web.Request) -> web.Response:
    form = await request.post()
    lead = _whole(_text(form, "lead_time_days") or "7", "Lead time")
    command = p.CreateSupplier(
        _text(form, "name"),
        _text(form, "currency", 3) or deps(request).bus.ctx.config.currency,
        _text(form, "contact", 500),
        lead,
        actor=request[SESSION].as_actor(),
    )
    await deps(request).bus.handle(command)
    return see_other(f"{PREFIX}/suppliers?done=created")


# --- purchase orders -------------------------------------------------------------------------------------
@routes.get("/purchase-orders")
async def purchase_orders(request: web.Request) -> web.Response:
    state = request.query.get("state") or None
    if state is not None and state not in PO_STATES:
        raise ValidationFailed(f"There is no purchase order state {state}.")
    rows = await deps(request).purchasing.purchase_orders(state)
    context = {"rows": rows, "states": PO_STATES, "state": state or "", "can_buy": _may_buy(request)}
    return page(request, "purchase_orders.html", context)


@routes.get("/purchase-orders/new")
async def new_purchase_order(request: web.Request) -> web.Response:
    found = await deps(request).purchasing.suppliers()
    context = {"suppliers": found, "rows": range(NEW_PO_ROWS), "can_buy": _may_buy(request)}
    return page(request, "purchase_order_new.html", context)


@routes.post("/purchase-orders")
async def create_purchase_order(request: web.Request) -> web.Response:
    d, form = deps(request), await request.post()
    supplier_id = _whole(_text(form, "supplier"), "Supplier")
    supplier = next((s for s in await d.purchasing.suppliers() if s.id == supplier_id), None)
    if supplier is None:
        raise NotFound(f"There is no supplier {supplier_id}.")
    skus, quantities, costs = form.getall("sku", []), form.getall("quantity", []), form.getall("unit_cost", [])
    lines = []
    for sku_text, quantity_text, cost_text in zip(skus, quantities, costs, strict=False):
        sku = str(sku_text).strip().upper()[:64]
        if not sku:
            continue
        quantity = _whole(str(quantity_text), f"The quantity of {sku}")
        lines.append(p.POLineSpec(sku, quantity, _cost(str(cost_text), supplier.currency, sku)))
    expected_text = _text(form, "expected_on")
    try:
        expected = date.fromisoformat(expected_text) if expected_text else None
    except ValueError:
        raise ValidationFailed("The expected date must be a date like 2026-12-24.") from None
    command = p.CreatePurchaseOrder(
        supplier_id, tuple(lines), expected, _text(form, "note", 500), actor=request[SESSION].as_actor()
    )
    po_id = await d.bus.handle(command)
    return see_other(f"{PREFIX}/purchase-orders/{po_id}?done=created")


@routes.get("/purchase-orders/{po_id}")
async def purchase_order(request: web.Request) -> web.Response:
    d, po_id = deps(request), _po_id(request)
    detail = await d.purchasing.purchase_order(po_id)
    if detail is None:
        raise NotFound(f"No purchase order {po_id}.")
    status = POStatus(detail.po.status)
    buy = _may_buy(request)
    can = {
        "send": buy and status == POStatus.DRAFT,
        "cancel": buy and status in (POStatus.DRAFT, POStatus.SENT),
        "receive": buy and status in (POStatus.SENT, POStatus.PARTIALLY_RECEIVED),
    }
    context = {
        "d": detail,
        "can": can,
        "can_buy": buy,
        "warehouses": await d.purchasing.warehouses(),
        "done": request.query.get("done"),
        "changed": request.query.get("changed") == "1",
    }
    return page(request, "purchase_order.html", context)


@routes.post("/purchase-orders/{po_id}/{action:(send|cancel)}")
async def po_action(request: web.Request) -> web.Response:
    d, po_id, actor = deps(request), _po_id(request), request[SESSION].as_actor()
    if request.match_info["action"] == "send":
        await d.bus.handle(p.SendPurchaseOrder(po_id, actor=actor))
        done = "sent"
    else:
        await d.bus.handle(p.CancelPurchaseOrder(po_id, actor=actor))
        done = "cancelled"
    return see_other(f"{PREFIX}/purchase-orders/{po_id}?done={done}")


@routes.post("/purchase-orders/{po_id}/receive")
async def receive(request: web.Request) -> web.Response:
    d, po_id, form = deps(request), _po_id(request), await request.post()
    pairs = []
    for sku_value, quantity in zip(form.getall("sku", []), form.getall("quantity", []), strict=False):
        sku, text = str(sku_value).strip()[:64], str(quantity).strip()
        if text and text != "0":
            pairs.append((sku, _whole(text, f"The quantity received of {sku}")))
    before = _text(form, "received_before", 12)
    command = p.ReceivePurchaseOrder(
        po_id,
        _text(form, "warehouse", 32),
        tuple(pairs),
        _text(form, "bin", 20),
        # What the form showed as received: a second post of the same form (a double click) is refused.
        received_before=_whole(before, "Received before") if before else None,
        actor=request[SESSION].as_actor(),
    )
    try:
        await d.bus.handle(command)
    except PurchaseOrderChanged:
        # The browser shows the last response of a double click: the page as it now is, saying nothing more
        # was booked, rather than an error that reads as if the delivery failed.
        return see_other(f"{PREFIX}/purchase-orders/{po_id}?changed=1")
    return see_other(f"{PREFIX}/purchase-orders/{po_id}?done=received")


# --- valuation and bins ----------------------------------------------------------------------------------
@routes.get("/valuation")
async def valuation(request: web.Request) -> web.Response:
    d = deps(request)
    context = {
        "houses": await d.purchasing.valuation(),
        "warehouses": await d.purchasing.warehouses(),
        "can_buy": _may_buy(request),
        "done": request.query.get("done"),
    }
    return page(request, "valuation.html", context)


@routes.post("/bins")
async def set_bin(request: web.Request) -> web.Response:
    form = await request.post()
    command = p.SetBinLocation(
        _text(form, "sku", 64), _text(form, "warehouse", 32), _text(form, "bin", 40), actor=request[SESSION].as_actor()
    )
    await deps(request).bus.handle(command)
    return see_other(f"{PREFIX}/valuation?done=bin")
