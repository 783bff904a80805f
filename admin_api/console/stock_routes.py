"""Stock: levels per variant and warehouse (low stock first), a SKU's ledger with filters, adjustments with a
reason and transfers between warehouses, each a domain command run as the signed-in staff member."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from urllib.parse import quote

from aiohttp import web

from admin_api.console.deps import deps
from admin_api.console.pages import PREFIX, SESSION, page, see_other
from domain import commands as c
from domain.commands_console import TransferStock
from domain.errors import NotFound, ValidationFailed
from domain.model.inventory import MovementKind
from domain.model.staff import Permission
from domain.views.console import LedgerFilter

routes = web.RouteTableDef()
KINDS = tuple(k.value for k in MovementKind)
BOARD_ROWS = 500
BOARD_SORTS = ("low", "bin", "sku")
LEDGER_ROWS = 200


def _sku(request: web.Request) -> str:
    sku = request.match_info["sku"].strip().upper()
    if not sku or len(sku) > 64:
        raise NotFound("No such SKU.")
    return sku


def _quantity(text: str, field: str) -> int:
    text = text.strip()
    digits = text.removeprefix("-").removeprefix("+")
    if not (digits.isascii() and digits.isdigit() and len(digits) < 9):
        raise ValidationFailed(f"{field} must be a whole number.")
    return int(text)


@routes.get("/stock")
async def stock(request: web.Request) -> web.Response:
    d, q = deps(request), request.query
    sku, warehouse = (q.get("sku") or "").strip()[:64] or None, (q.get("warehouse") or "").strip()[:32] or None
    bin_code = (q.get("bin") or "").strip()[:20] or None
    sort = q.get("sort") or "low"
    if sort not in BOARD_SORTS:
        raise ValidationFailed(f"The stock board sorts by {', '.join(BOARD_SORTS)}; not {sort}.")
    rows = await d.more.stock_board(sku, warehouse, BOARD_ROWS, bin_code, sort)
    context = {
        "rows": rows,
        "q": q,
        "sort": sort,
        "warehouses": await d.more.warehouses(),
        "limit": BOARD_ROWS,
    }
    return page(request, "stock.html", context)


@routes.get("/stock/markdowns")
async def markdowns(request: web.Request) -> web.Response:
    """Overstock and slow movers with a suggested depth and the reasons; nothing here changes a price."""
    board = deps(request).markdowns
    if board is None:
        raise NotFound("Markdown suggestions are not set up on this server.")
    return page(request, "markdowns.html", {"rows": await board.suggestions(), "policy": board.policy})


@routes.get("/stock/{sku}")
async def ledger(request: web.Request) -> web.Response:
    d, q, sku = deps(request), request.query, _sku(request)
    kind = q.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise ValidationFailed(f"There is no ledger kind {kind}.")
    since = None
    if q.get("since"):
        try:
            since = datetime.combine(date.fromisoformat(q["since"]), time.min, tzinfo=UTC)
        except ValueError:
            raise ValidationFailed("Since must be a date like 2026-12-06.") from None
    levels = [row for row in await d.more.stock_board(sku, None, BOARD_ROWS) if row.sku == sku]
    if not levels and await d.views.stock(sku) is None:
        raise NotFound(f"No product with SKU {sku}.")
    entries = await d.more.ledger(LedgerFilter(sku, q.get("warehouse") or None, kind, since), LEDGER_ROWS)
    context = {
        "sku": sku,
        "levels": levels,
        "entries": entries,
        "q": q,
        "kinds": KINDS,
        "warehouses": await d.more.warehouses(),
        "can_adjust": request[SESSION].as_actor().may(Permission.ADJUST_STOCK),
        "done": request.query.get("done"),
        "limit": LEDGER_ROWS,
    }
    return page(request, "stock_ledger.html", context)


@routes.post("/stock/{sku}/adjust")
async def adjust(request: web.Request) -> web.Response:
    d, sku = deps(request), _sku(request)
    form, actor = await request.post(), request[SESSION].as_actor()
    delta = _quantity(str(form.get("delta", "")), "Change")
    warehouse, reason = str(form.get("warehouse", "")).strip()[:32], str(form.get("reason", "")).strip()[:200]
    await d.bus.handle(c.AdjustStock(sku, warehouse, delta, reason, actor=actor))
    return see_other(f"{PREFIX}/stock/{quote(sku, safe='')}?done=adjusted")


@routes.post("/stock/{sku}/transfer")
async def transfer(request: web.Request) -> web.Response:
    d, sku = deps(request), _sku(request)
    form, actor = await request.post(), request[SESSION].as_actor()
    quantity = _quantity(str(form.get("quantity", "")), "Quantity")
    source, destination = str(form.get("source", "")).strip()[:32], str(form.get("destination", "")).strip()[:32]
    reason = str(form.get("reason", "")).strip()[:150]
    await d.bus.handle(TransferStock(sku, source, destination, quantity, reason, actor=actor))
    return see_other(f"{PREFIX}/stock/{quote(sku, safe='')}?done=transferred")
