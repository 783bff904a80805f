"""Orders: list (filters, cursor), get, approve, reject, ship, cancel, refund — writes through domain commands."""

from __future__ import annotations

import hashlib

from admin_api.rest import schemas as s
from admin_api.rest.deps import deps
from admin_api.rest.pagination import decode_cursor, encode_cursor
from admin_api.rest.registry import Call, Json, Reply, path_int
from admin_api.rest.routes import API
from domain import commands as c
from domain.errors import NotFound, ValidationFailed
from domain.views.admin import OrderFilter

ORDER = {"order_id": "the order's id"}


async def load_order(call: Call, order_id: int) -> s.OrderOut:
    d = deps(call.request)
    view = await d.views.order(order_id)
    extras = await d.admin.order_extras(order_id)
    if view is None or extras is None:
        raise NotFound(f"No order {order_id}.")
    cash = await d.views.order_money(order_id)
    ships = [
        s.ShipmentOut(carrier=x.carrier, tracking_number=x.tracking_number, shipped_at=x.shipped_at)
        for x in extras.shipments
    ]
    allocs = [
        s.AllocationOut(sku=a.sku, warehouse=a.warehouse, quantity=a.quantity, status=a.status)
        for a in extras.allocations
    ]
    timeline = [
        s.TimelineEntryOut(at=e.at, event=e.name, actor=e.actor, details=e.details)
        for e in await d.admin.order_timeline(order_id)
    ]
    return s.order_out(view, cash, extras.updated_at, ships, allocs, extras.external_id, timeline)


@API.operation(
    "GET",
    "/orders",
    scope="orders:read",
    summary="List orders",
    tag="orders",
    query=s.OrderListQuery,
    responses={200: s.OrderPage},
    description="Newest first; with `updated_since`, oldest change first so a sync can resume from the cursor.",
)
async def list_orders(call: Call) -> Reply:
    q: s.OrderListQuery = call.query
    kind = "orders:updated" if q.updated_since else "orders:id"
    filters = OrderFilter(
        q.status, q.channel, q.customer_id, q.created_from, q.created_to, q.updated_since, q.updated_to
    )
    rows = await deps(call.request).admin.orders(filters, q.limit + 1, decode_cursor(q.cursor, kind))
    page, more = rows[: q.limit], len(rows) > q.limit
    cursor = None
    if more:
        last = page[-1]
        cursor = encode_cursor(kind, last.updated_at.isoformat() if q.updated_since else "", last.id)
    return Reply(200, Json(s.OrderPage, {"items": [s.order_summary_data(o) for o in page], "next_cursor": cursor}))


@API.operation(
    "POST",
    "/orders",
    scope="orders:write",
    summary="Create an order from another sales channel",
    tag="orders",
    body=s.ExternalOrderIn,
    responses={201: s.OrderOut},
    description="Stock is reserved like a chat checkout's, at today's prices; unpaid, the hold expires like a "
    "checkout's. With `paid`, the money is booked as an `external` payment (refunds of it are a person's task "
    "in that channel). The same channel and `external_id` again return the first order.",
)
async def create_order(call: Call) -> Reply:
    b: s.ExternalOrderIn = call.body
    command = c.PlaceExternalOrder(
        channel=b.channel,
        external_id=b.external_id,
        customer_email=b.customer.email,
        customer_name=b.customer.name,
        lines=tuple((line.sku, line.quantity) for line in b.lines),
        shipping_address={k: v for k, v in b.shipping_address.model_dump().items() if v},
        shipping_method=b.shipping_method,
        paid=b.paid,
        actor=call.actor,
    )
    order_id = await deps(call.request).bus.handle(command)
    return Reply(201, await load_order(call, int(order_id)))


@API.operation(
    "GET",
    "/orders/{order_id}",
    scope="orders:read",
    summary="Get an order",
    tag="orders",
    path_params=ORDER,
    responses={200: s.OrderOut},
)
async def get_order(call: Call) -> Reply:
    """Lines, totals, payments, refunds, shipments and stock allocations per warehouse."""
    return Reply(200, await load_order(call, path_int(call, "order_id")))


@API.operation(
    "POST",
    "/orders/{order_id}/approve",
    scope="orders:write",
    summary="Approve an order awaiting approval",
    tag="orders",
    path_params=ORDER,
    responses={200: s.OrderOut},
)
async def approve_order(call: Call) -> Reply:
    order_id = path_int(call, "order_id")
    await deps(call.request).bus.handle(c.ApproveOrder(order_id, actor=call.actor))
    return Reply(200, await load_order(call, order_id))


@API.operation(
    "POST",
    "/orders/{order_id}/reject",
    scope="orders:write",
    summary="Reject an order awaiting approval",
    tag="orders",
    path_params=ORDER,
    body=s.RejectIn,
    responses={200: s.OrderOut},
    description="Cancelled, stock released, and what was paid refunded in full.",
)
async def reject_order(call: Call) -> Reply:
    order_id = path_int(call, "order_id")
    await deps(call.request).bus.cancel(c.RejectOrder(order_id, call.body.reason, actor=call.actor))
    return Reply(200, await load_order(call, order_id))


@API.operation(
    "POST",
    "/orders/{order_id}/advance",
    scope="orders:write",
    summary="Move an order along fulfilment: picking, packed, delivered",
    tag="orders",
    path_params=ORDER,
    body=s.AdvanceIn,
    responses={200: s.OrderOut},
)
async def advance_order(call: Call) -> Reply:
    order_id = path_int(call, "order_id")
    await deps(call.request).bus.handle(c.AdvanceOrder(order_id, call.body.to, actor=call.actor))
    return Reply(200, await load_order(call, order_id))


@API.operation(
    "POST",
    "/orders/{order_id}/ship",
    scope="orders:write",
    summary="Ship an order with carrier and tracking number",
    tag="orders",
    path_params=ORDER,
    body=s.ShipIn,
    responses={200: s.OrderOut},
)
async def ship_order(call: Call) -> Reply:
    order_id = path_int(call, "order_id")
    body: s.ShipIn = call.body
    await deps(call.request).bus.handle(c.ShipOrder(order_id, body.carrier, body.tracking_number, actor=call.actor))
    return Reply(200, await load_order(call, order_id))


@API.operation(
    "POST",
    "/orders/{order_id}/cancel",
    scope="orders:write",
    summary="Cancel an order",
    tag="orders",
    path_params=ORDER,
    body=s.CancelIn,
    responses={200: s.OrderOut},
    description="A paid order is refunded in full right after.",
)
async def cancel_order(call: Call) -> Reply:
    order_id = path_int(call, "order_id")
    await deps(call.request).bus.cancel(c.CancelOrder(order_id, call.body.reason, actor=call.actor))
    return Reply(200, await load_order(call, order_id))


@API.operation(
    "POST",
    "/orders/{order_id}/refunds",
    scope="refunds:write",
    summary="Refund an order, fully or in part",
    tag="orders",
    path_params=ORDER,
    body=s.RefundIn,
    responses={201: s.RefundResult},
    description="`status` is the provider's answer: succeeded, failed, needs_action (a person must refund by "
    "hand) or pending. The Idempotency-Key, when sent, is also the refund's key at the provider.",
)
async def refund_order(call: Call) -> Reply:
    order_id = path_int(call, "order_id")
    body: s.RefundIn = call.body
    d = deps(call.request)
    amount = None
    if body.amount is not None:
        order = await d.views.order(order_id)
        if order is None:
            raise NotFound(f"No order {order_id}.")
        if body.amount.currency != order.currency:
            raise ValidationFailed(f"Order {order_id} is in {order.currency}; refund in {order.currency}.")
        amount = body.amount.amount
    idem = call.request.headers.get("Idempotency-Key")
    key = f"api:{call.key.id}:{hashlib.sha256(idem.encode()).hexdigest()[:40]}" if idem else None
    status = await d.bus.refund(c.RefundOrder(order_id, amount, body.reason, actor=call.actor, idempotency_key=key))
    return Reply(201, s.RefundResult(status=status, order=await load_order(call, order_id)))  # type: ignore[arg-type]
