"""Purchasing: suppliers, purchase orders (draft, send, cancel, receive) and stock valuation — writes through the
domain's purchasing commands, reads from its purchasing views."""

from __future__ import annotations

from admin_api.rest import schemas as s
from admin_api.rest.deps import deps
from admin_api.rest.pagination import decode_cursor, encode_cursor
from admin_api.rest.registry import Call, Reply, path_int
from admin_api.rest.routes import API
from domain import commands_purchasing as p
from domain.errors import NotFound, ValidationFailed
from domain.model.purchasing import reference
from domain.views.purchasing import PurchaseOrderFilter

SUPPLIER = {"supplier_id": "the supplier's id"}
PO = {"po_id": "the purchase order's id (the number in PO-000042)"}


async def load_supplier(call: Call, supplier_id: int) -> s.SupplierOut:
    found = await deps(call.request).purchasing.supplier(supplier_id)
    if found is None:
        raise NotFound(f"No supplier {supplier_id}.")
    return s.supplier_out(found)


async def load_po(call: Call, po_id: int) -> s.PurchaseOrderOut:
    detail = await deps(call.request).purchasing.purchase_order(po_id)
    if detail is None:
        raise NotFound(f"No purchase order {reference(po_id)}.")
    return s.po_out(detail)


@API.operation(
    "GET",
    "/suppliers",
    scope="purchasing:read",
    summary="List suppliers",
    tag="purchasing",
    query=s.SupplierListQuery,
    responses={200: s.SupplierPage},
)
async def list_suppliers(call: Call) -> Reply:
    q: s.SupplierListQuery = call.query
    after = decode_cursor(q.cursor, "suppliers")
    rows = await deps(call.request).purchasing.supplier_page(q.limit + 1, after[1] if after else None)
    page = rows[: q.limit]
    cursor = encode_cursor("suppliers", "", page[-1].id) if len(rows) > q.limit else None
    return Reply(200, s.SupplierPage(items=[s.supplier_out(r) for r in page], next_cursor=cursor))


@API.operation(
    "GET",
    "/suppliers/{supplier_id}",
    scope="purchasing:read",
    summary="Get a supplier",
    tag="purchasing",
    path_params=SUPPLIER,
    responses={200: s.SupplierOut},
)
async def get_supplier(call: Call) -> Reply:
    return Reply(200, await load_supplier(call, path_int(call, "supplier_id")))


@API.operation(
    "POST",
    "/suppliers",
    scope="purchasing:write",
    summary="Create a supplier",
    tag="purchasing",
    body=s.SupplierIn,
    responses={201: s.SupplierOut},
)
async def create_supplier(call: Call) -> Reply:
    b: s.SupplierIn = call.body
    command = p.CreateSupplier(b.name, b.currency, b.contact, b.lead_time_days, actor=call.actor)
    supplier_id = await deps(call.request).bus.handle(command)
    return Reply(201, await load_supplier(call, int(supplier_id)))


@API.operation(
    "GET",
    "/purchase-orders",
    scope="purchasing:read",
    summary="List purchase orders",
    tag="purchasing",
    query=s.PurchaseOrderListQuery,
    responses={200: s.PurchaseOrderPage},
    description="Newest first; with `updated_since`, oldest change first so a sync can resume from the cursor.",
)
async def list_purchase_orders(call: Call) -> Reply:
    q: s.PurchaseOrderListQuery = call.query
    kind = "purchase-orders:updated" if q.updated_since else "purchase-orders:id"
    filters = PurchaseOrderFilter(q.state, q.supplier_id, q.updated_since)
    rows = await deps(call.request).purchasing.purchase_order_page(filters, q.limit + 1, decode_cursor(q.cursor, kind))
    page, cursor = rows[: q.limit], None
    if len(rows) > q.limit:
        last = page[-1]
        when = last.updated_at.isoformat() if q.updated_since and last.updated_at else ""
        cursor = encode_cursor(kind, when, last.id)
    return Reply(200, s.PurchaseOrderPage(items=[s.po_summary(r) for r in page], next_cursor=cursor))


@API.operation(
    "GET",
    "/purchase-orders/{po_id}",
    scope="purchasing:read",
    summary="Get a purchase order",
    tag="purchasing",
    path_params=PO,
    responses={200: s.PurchaseOrderOut},
)
async def get_purchase_order(call: Call) -> Reply:
    """Its lines with ordered, received and outstanding units, the deliveries booked in, and its state."""
    return Reply(200, await load_po(call, path_int(call, "po_id")))


@API.operation(
    "POST",
    "/purchase-orders",
    scope="purchasing:write",
    summary="Draft a purchase order",
    tag="purchasing",
    body=s.PurchaseOrderIn,
    responses={201: s.PurchaseOrderOut},
    description="In the supplier's currency: every unit cost must be in it. Send it with `/send`.",
)
async def create_purchase_order(call: Call) -> Reply:
    b: s.PurchaseOrderIn = call.body
    d = deps(call.request)
    supplier = await d.purchasing.supplier(b.supplier_id)
    if supplier is None:
        raise NotFound(f"There is no supplier {b.supplier_id}.")
    wrong = [line.sku for line in b.lines if line.unit_cost.currency != supplier.currency]
    if wrong:
        raise ValidationFailed(
            f"{supplier.name} invoices in {supplier.currency}; the unit cost of {', '.join(wrong)} is not."
        )
    lines = tuple(p.POLineSpec(line.sku, line.quantity, line.unit_cost.amount) for line in b.lines)
    command = p.CreatePurchaseOrder(b.supplier_id, lines, b.expected_on, b.note, actor=call.actor)
    po_id = await d.bus.handle(command)
    return Reply(201, await load_po(call, int(po_id)))


@API.operation(
    "POST",
    "/purchase-orders/{po_id}/send",
    scope="purchasing:write",
    summary="Send a draft purchase order to its supplier",
    tag="purchasing",
    path_params=PO,
    responses={200: s.PurchaseOrderOut},
)
async def send_purchase_order(call: Call) -> Reply:
    po_id = path_int(call, "po_id")
    await deps(call.request).bus.handle(p.SendPurchaseOrder(po_id, actor=call.actor))
    return Reply(200, await load_po(call, po_id))


@API.operation(
    "POST",
    "/purchase-orders/{po_id}/cancel",
    scope="purchasing:write",
    summary="Cancel a purchase order",
    tag="purchasing",
    path_params=PO,
    responses={200: s.PurchaseOrderOut},
    description="A draft or sent order; not once goods have arrived against it.",
)
async def cancel_purchase_order(call: Call) -> Reply:
    po_id = path_int(call, "po_id")
    await deps(call.request).bus.handle(p.CancelPurchaseOrder(po_id, actor=call.actor))
    return Reply(200, await load_po(call, po_id))


@API.operation(
    "POST",
    "/purchase-orders/{po_id}/receive",
    scope="purchasing:write",
    summary="Book a delivery in against a purchase order",
    tag="purchasing",
    path_params=PO,
    body=s.ReceivePurchaseOrderIn,
    responses={200: s.PurchaseOrderOut},
    description="Stock is received into the warehouse (and bin) at the line's cost, joining its weighted average. "
    "Send an Idempotency-Key: a retry with it replays the first answer. Without one, each request is a delivery; "
    "more than is outstanding on a line is refused (422), so a repeated delivery can't over-receive.",
)
async def receive_purchase_order(call: Call) -> Reply:
    po_id = path_int(call, "po_id")
    b: s.ReceivePurchaseOrderIn = call.body
    pairs = tuple((line.sku, line.quantity) for line in b.lines)
    await deps(call.request).bus.handle(p.ReceivePurchaseOrder(po_id, b.warehouse, pairs, b.bin, actor=call.actor))
    return Reply(200, await load_po(call, po_id))


@API.operation(
    "GET",
    "/inventory/valuation",
    scope="purchasing:read",
    summary="Stock valued at weighted average cost, per warehouse",
    tag="purchasing",
    responses={200: s.ValuationOut},
)
async def inventory_valuation(call: Call) -> Reply:
    """Each active warehouse's units on hand per SKU with its average unit cost and value, and totals per currency."""
    return Reply(200, s.valuation_out(await deps(call.request).purchasing.valuation()))
