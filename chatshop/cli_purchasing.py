"""`chatshop po ...`: suppliers and purchase orders (create, list, show, send, cancel, receive), and
`chatshop stock bin SKU WAREHOUSE BIN`.

Acts as a staff member (``--as``, ``$CHATSHOP_STAFF`` or the OS user, see ``cli_actor``); the domain lets
operators and above manage purchasing. Costs are typed in major units of the supplier's currency ("30.00").
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chatshop.bootstrap import Shop
from chatshop.cli_actor import ActorOption, resolve_actor
from domain import commands_purchasing as p
from domain.adapters.purchasing_views import SqlPurchasingViews
from domain.errors import NotFound
from domain.model.money import Money

po_app = typer.Typer(help="Purchasing: suppliers, purchase orders, receiving.", no_args_is_help=True)
stock_bin_app = typer.Typer()  # its command joins `chatshop stock`
console = Console()


def _line(text: str, currency: str) -> p.POLineSpec:
    """SKU:QUANTITY:UNIT_COST, e.g. SHOE-RED-42:10:30.00."""
    parts = text.split(":")
    try:
        sku, quantity, cost = parts
        return p.POLineSpec(sku.strip().upper(), int(quantity), Money.parse(cost, currency).amount)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}: write each line as SKU:QUANTITY:UNIT_COST (a whole quantity, a cost in {currency}), "
            "e.g. SHOE-RED-42:10:30.00"
        ) from None


def _received(text: str) -> tuple[str, int]:
    sku, sep, quantity = text.partition(":")
    if not sep or not (quantity.strip().isascii() and quantity.strip().isdigit()):
        raise typer.BadParameter(f"{text!r}: write each line as SKU:QUANTITY, e.g. SHOE-RED-42:4")
    return sku.strip().upper(), int(quantity)


@po_app.command("supplier")
def add_supplier(
    name: str,
    currency: Annotated[str, typer.Option(help="The currency it invoices in.")] = "USD",
    contact: Annotated[str, typer.Option(help="E-mail, phone, person.")] = "",
    lead_time: Annotated[int, typer.Option(help="Days from order to delivery.")] = 7,
    by: ActorOption = None,
) -> None:
    """Add a supplier."""
    from chatshop.cli import run

    async def go(shop: Shop) -> int:
        actor = await resolve_actor(shop, by)
        return int(await shop.bus.handle(p.CreateSupplier(name, currency, contact, lead_time, actor=actor)))

    console.print(f"supplier {run(go)} added")


@po_app.command("suppliers")
def suppliers() -> None:
    """List suppliers."""
    from chatshop.cli import run

    table = Table("id", "name", "contact", "lead time", "currency")
    for s in run(lambda shop: SqlPurchasingViews(shop.sessions).suppliers()):
        table.add_row(str(s.id), s.name, s.contact, f"{s.lead_time_days} d", s.currency)
    console.print(table)


@po_app.command("create")
def create(
    supplier_id: int,
    lines: Annotated[list[str], typer.Argument(help="SKU:QUANTITY:UNIT_COST, e.g. SHOE-RED-42:10:30.00")],
    expected: Annotated[str | None, typer.Option(help="Expected delivery, e.g. 2026-12-24.")] = None,
    note: str = "",
    send: Annotated[bool, typer.Option("--send", help="Mark it sent to the supplier right away.")] = False,
    by: ActorOption = None,
) -> None:
    """Draft a purchase order in the supplier's currency (and send it with --send)."""
    from chatshop.cli import run

    try:
        expected_on = date.fromisoformat(expected) if expected else None
    except ValueError:
        raise typer.BadParameter(f"{expected!r} is not a date like 2026-12-24") from None

    async def go(shop: Shop) -> tuple[int, str]:
        actor = await resolve_actor(shop, by)
        found = [s for s in await SqlPurchasingViews(shop.sessions).suppliers() if s.id == supplier_id]
        if not found:
            raise NotFound(f"There is no supplier {supplier_id}; see chatshop po suppliers.")
        specs = tuple(_line(text, found[0].currency) for text in lines)
        po_id = int(await shop.bus.handle(p.CreatePurchaseOrder(supplier_id, specs, expected_on, note, actor=actor)))
        status = "draft"
        if send:
            status = str(await shop.bus.handle(p.SendPurchaseOrder(po_id, actor=actor)))
        return po_id, status

    po_id, status = run(go)
    console.print(f"PO-{po_id:06d} ({po_id}) {status}")


@po_app.command("list")
def list_(state: Annotated[str | None, typer.Option(help="draft, sent, partially_received…")] = None) -> None:
    """Purchase orders, newest first."""
    from chatshop.cli import run

    table = Table("PO", "supplier", "state", "expected", "received", "cost")
    table.columns[0].no_wrap = True
    for r in run(lambda shop: SqlPurchasingViews(shop.sessions).purchase_orders(state)):
        cost = Money(r.total_cost, r.currency).format()
        received = f"{r.units_received}/{r.units_ordered}"
        table.add_row(r.ref, r.supplier_name, r.status, str(r.expected_on or "-"), received, cost)
    console.print(table)


@po_app.command("show")
def show(po_id: int) -> None:
    """A purchase order's lines and deliveries."""
    from chatshop.cli import run

    detail = run(lambda shop: SqlPurchasingViews(shop.sessions).purchase_order(po_id))
    if detail is None:
        console.print(f"[red]There is no purchase order {po_id}.[/red]")
        raise typer.Exit(1)
    console.print(f"{detail.po.ref} {detail.po.status} · {detail.po.supplier_name} · expected {detail.po.expected_on}")
    table = Table("SKU", "product", "ordered", "received", "outstanding", "unit cost")
    for line in detail.lines:
        cost = Money(line.unit_cost, detail.po.currency).format()
        table.add_row(line.sku, line.name, str(line.quantity), str(line.received), str(line.outstanding), cost)
    console.print(table)


@po_app.command("send")
def send_(po_id: int, by: ActorOption = None) -> None:
    """Mark a draft sent to its supplier."""
    from chatshop.cli import run

    async def go(shop: Shop) -> str:
        return str(await shop.bus.handle(p.SendPurchaseOrder(po_id, actor=await resolve_actor(shop, by))))

    console.print(f"PO-{po_id:06d} {run(go)}")


@po_app.command("cancel")
def cancel(po_id: int, by: ActorOption = None) -> None:
    """Cancel a draft or sent purchase order (not once goods arrived)."""
    from chatshop.cli import run

    async def go(shop: Shop) -> str:
        return str(await shop.bus.handle(p.CancelPurchaseOrder(po_id, actor=await resolve_actor(shop, by))))

    console.print(f"PO-{po_id:06d} {run(go)}")


@po_app.command("receive")
def receive(
    po_id: int,
    warehouse: str,
    lines: Annotated[list[str], typer.Argument(help="SKU:QUANTITY received, e.g. SHOE-RED-42:4")],
    bin: Annotated[str, typer.Option("--bin", help="Where it was put away, e.g. A-03-2.")] = "",
    by: ActorOption = None,
) -> None:
    """Book a delivery in against the purchase order (partial quantities are fine)."""
    from chatshop.cli import run

    pairs = tuple(_received(text) for text in lines)

    async def go(shop: Shop) -> str:
        actor = await resolve_actor(shop, by)
        return str(await shop.bus.handle(p.ReceivePurchaseOrder(po_id, warehouse, pairs, bin, actor=actor)))

    console.print(f"PO-{po_id:06d} {run(go)}")


@stock_bin_app.command("bin")
def stock_bin(sku: str, warehouse: str, bin: str, by: ActorOption = None) -> None:
    """Set where SKU sits in WAREHOUSE (a bin code like A-03-2); pick lists walk the bins in order."""
    from chatshop.cli import run

    async def go(shop: Shop) -> str:
        actor = await resolve_actor(shop, by)
        return str(await shop.bus.handle(p.SetBinLocation(sku, warehouse, bin, actor=actor)))

    console.print(f"{sku.upper()} in {warehouse.upper()}: bin {run(go)}")
