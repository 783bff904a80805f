"""Stock per variant and warehouse: levels, receive, adjust with a reason, set from a WMS count."""

from __future__ import annotations

from admin_api.rest import schemas as s
from admin_api.rest.deps import deps
from admin_api.rest.pagination import decode_cursor, encode_cursor
from admin_api.rest.registry import Call, Reply
from admin_api.rest.routes import API
from domain import commands as c
from domain.errors import NotFound


async def level(call: Call, sku: str, warehouse: str) -> s.StockLevelOut:
    rows = await deps(call.request).admin.stock_levels(sku, warehouse, 1, None)
    if not rows:
        raise NotFound(f"No stock of {sku.upper()} at {warehouse.upper()}.")
    return s.stock_out(rows[0])


@API.operation(
    "GET",
    "/stock",
    scope="stock:read",
    summary="Stock levels per variant and warehouse",
    tag="stock",
    query=s.StockListQuery,
    responses={200: s.StockPage},
)
async def list_stock(call: Call) -> Reply:
    q: s.StockListQuery = call.query
    after = decode_cursor(q.cursor, "stock")
    rows = await deps(call.request).admin.stock_levels(q.sku, q.warehouse, q.limit + 1, after[1] if after else None)
    page = rows[: q.limit]
    cursor = encode_cursor("stock", "", page[-1].id) if len(rows) > q.limit else None
    return Reply(200, s.StockPage(items=[s.stock_out(r) for r in page], next_cursor=cursor))


@API.operation(
    "POST",
    "/stock/receive",
    scope="stock:write",
    summary="Receive stock into a warehouse",
    tag="stock",
    body=s.ReceiveIn,
    responses={200: s.StockLevelOut},
)
async def receive_stock(call: Call) -> Reply:
    b: s.ReceiveIn = call.body
    await deps(call.request).bus.handle(c.ReceiveStock(b.sku, b.warehouse, b.quantity, b.reason, actor=call.actor))
    return Reply(200, await level(call, b.sku, b.warehouse))


@API.operation(
    "POST",
    "/stock/adjust",
    scope="stock:write",
    summary="Adjust stock by a delta, with a reason",
    tag="stock",
    body=s.AdjustIn,
    responses={200: s.StockLevelOut},
)
async def adjust_stock(call: Call) -> Reply:
    b: s.AdjustIn = call.body
    await deps(call.request).bus.handle(c.AdjustStock(b.sku, b.warehouse, b.delta, b.reason, actor=call.actor))
    return Reply(200, await level(call, b.sku, b.warehouse))


@API.operation(
    "POST",
    "/stock/count",
    scope="stock:write",
    summary="Set on-hand stock from a count (a WMS)",
    tag="stock",
    body=s.CountIn,
    responses={200: s.StockLevelOut},
    description="The ledger gets the difference as one adjustment; sending the same count again writes nothing.",
)
async def count_stock(call: Call) -> Reply:
    b: s.CountIn = call.body
    await deps(call.request).bus.handle(c.CountStock(b.sku, b.warehouse, b.on_hand, b.reason, actor=call.actor))
    return Reply(200, await level(call, b.sku, b.warehouse))
