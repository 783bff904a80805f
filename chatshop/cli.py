"""The ``chatshop`` command line."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings, get_settings
from domain import commands as c
from domain.errors import DomainError, NotFound
from domain.model.money import Money
from domain.model.payments import RefundStatus
from domain.model.staff import Actor, Role
from domain.views.models import OrderMoney, RefundView

T = TypeVar("T")
console = Console()
err = Console(stderr=True)
app = typer.Typer(
    help="chatshop: a conversational shop. `make run` starts it; these commands manage it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
catalog_app = typer.Typer(help="Import and export the catalog.", no_args_is_help=True)
stock_app = typer.Typer(help="Stock for operators without Slack.", no_args_is_help=True)
order_app = typer.Typer(help="Look at and move orders.", no_args_is_help=True)
customer_app = typer.Typer(help="CRM: profiles, data export and erasure.", no_args_is_help=True)
staff_app = typer.Typer(help="Staff and their roles.", no_args_is_help=True)
report_app = typer.Typer(help="Sales reports.", no_args_is_help=True)
outbox_app = typer.Typer(help="Domain events waiting for delivery.", no_args_is_help=True)
for sub, name in [
    (db_app, "db"),
    (catalog_app, "catalog"),
    (stock_app, "stock"),
    (order_app, "order"),
    (customer_app, "customer"),
    (staff_app, "staff"),
    (report_app, "report"),
    (outbox_app, "outbox"),
]:
    app.add_typer(sub, name=name)

CLI_ACTOR = Actor.system("cli")


def _settings() -> Settings:
    return get_settings()


@asynccontextmanager
async def open_shop() -> AsyncIterator[Shop]:
    shop = build_shop(_settings())
    try:
        yield shop
    finally:
        await shop.close()


def run(fn: Callable[[Shop], Awaitable[T]]) -> T:
    """Run ``fn`` against the shop; domain errors print their message and exit 1, not a traceback."""

    async def main() -> T:
        async with open_shop() as shop:
            return await fn(shop)

    try:
        return asyncio.run(main())
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None


def money(amount: int, currency: str) -> str:
    return Money(amount, currency).format()


# --- db -------------------------------------------------------------------------------------------
@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply database migrations (safe to run again)."""
    from domain.adapters.migrate import upgrade

    upgrade(_settings().database_url, revision)
    console.print(f"database at {revision}")


# --- seed -----------------------------------------------------------------------------------------
@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="A realistic demo shop with history.")] = False,
    if_empty: Annotated[bool, typer.Option("--if-empty", help="Do nothing when the shop has products.")] = False,
    months: Annotated[int, typer.Option("--months", min=1, max=60, help="Months of past orders.")] = 18,
    seed_: Annotated[int, typer.Option("--seed", help="The same seed (on the same day) gives the same history.")] = 11,
    customers: Annotated[int, typer.Option("--customers", min=1, help="Customers in the history.")] = 3000,
    orders: Annotated[int, typer.Option("--orders", min=1, help="Past orders in the history.")] = 12000,
) -> None:
    """Seed the demo shop (idempotent)."""
    from chatshop.seed import ensure_demo_images, seed_demo, shop_is_empty

    if not demo:
        err.print("Nothing to seed: pass --demo.")
        raise typer.Exit(2)

    async def go(shop: Shop) -> None:
        if if_empty and not await shop_is_empty(shop):
            await asyncio.to_thread(ensure_demo_images)
            console.print("shop already has products; not seeding")
            return
        summary = await seed_demo(shop, progress=True, customers=customers, orders=orders, months=months, seed=seed_)
        console.print(str(summary))

    run(go)


# --- catalog --------------------------------------------------------------------------------------
@catalog_app.command("import")
def catalog_import(file: Path) -> None:
    """Import products from CSV or JSON; bad rows are reported and skipped, good ones kept.

    Chinese names: CSV columns name_zh_Hans, description_zh_Hans, category_zh_Hans ("服装 > 卫衣");
    JSON "translations": {"zh_Hans": {"name": …, "description": …, "category": [...]}}."""
    from chatshop.catalog_io import import_catalog

    report = run(lambda shop: import_catalog(shop, file, progress=True))
    for problem in report.problems:
        err.print(f"[yellow]line {problem.line}[/yellow]: {problem.reason}")
    console.print(f"imported {report.products} products ({report.variants} variants); {len(report.problems)} problems")
    if report.problems:
        raise typer.Exit(1)


@catalog_app.command("export")
def catalog_export(file: Path) -> None:
    """Export the catalog to CSV or JSON (by the file's extension)."""
    from chatshop.catalog_io import export_catalog

    count = run(lambda shop: export_catalog(shop, file, progress=True))
    console.print(f"exported {count} products to {file}")


# --- stock ----------------------------------------------------------------------------------------
@stock_app.command("receive")
def stock_receive(sku: str, warehouse: str, quantity: int, reason: str = "received") -> None:
    """Book goods in."""
    on_hand = run(lambda shop: shop.bus.handle(c.ReceiveStock(sku, warehouse, quantity, reason, actor=CLI_ACTOR)))
    console.print(f"{sku.upper()} in {warehouse.upper()}: {on_hand} on hand")


@stock_app.command("adjust")
def stock_adjust(sku: str, warehouse: str, delta: int, reason: Annotated[str, typer.Option(help="Why.")]) -> None:
    """Correct stock by DELTA (negative to remove) with a reason for the ledger."""
    on_hand = run(lambda shop: shop.bus.handle(c.AdjustStock(sku, warehouse, delta, reason, actor=CLI_ACTOR)))
    console.print(f"{sku.upper()} in {warehouse.upper()}: {on_hand} on hand")


@stock_app.command("show")
def stock_show(query: str) -> None:
    """Stock per warehouse for a SKU or product name."""
    views = run(lambda shop: shop.views.find_stock(query))
    if not views:
        err.print(f"nothing matches {query!r}")
        raise typer.Exit(1)
    table = Table("SKU", "product", "warehouse", "on hand", "reserved", "allocated", "available")
    for view in views:
        for row in view.rows or ():
            table.add_row(
                view.sku,
                view.product_name,
                row.warehouse_code,
                str(row.on_hand),
                str(row.reserved),
                str(row.allocated),
                str(row.available),
            )
        if not view.rows:
            table.add_row(view.sku, view.product_name, "-", "0", "0", "0", "0")
    console.print(table)


# --- orders ---------------------------------------------------------------------------------------
# `order refund` and friends: 0 done (or pending at the provider), 1 refused (the reason is printed),
# 3 the provider can't be asked and a person must refund by hand, then say so with `order refund-done`.
EXIT_REFUND_FAILED = 1
EXIT_REFUND_NEEDS_PERSON = 3


def refund_needed(refund: RefundView) -> str:
    return (
        f"REFUND NEEDED: {money(refund.amount, refund.currency)} via {refund.provider}, "
        f"charge {refund.charge_id or '(unknown)'} — refund it there, then "
        f"`chatshop order refund-done {refund.id} --reference …`"
    )


def report_refunds(refunds: Sequence[RefundView | None]) -> int:
    """Say what became of each refund; returns the exit code they deserve (a failure outranks a task)."""
    codes = [_report_refund(r) for r in refunds if r is not None]
    for worst in (EXIT_REFUND_FAILED, EXIT_REFUND_NEEDS_PERSON):
        if worst in codes:
            return worst
    return 0


def _report_refund(refund: RefundView) -> int:
    amount = money(refund.amount, refund.currency)
    # Reasons and charge ids come from providers and staff: printed without rich markup.
    if refund.status == RefundStatus.FAILED:
        err.print(
            f"refund #{refund.id} of {amount} via {refund.provider} failed: {refund.failure_reason}",
            style="red",
            markup=False,
            soft_wrap=True,
        )
        err.print(f"Try again with `chatshop order refund-retry {refund.id}`.", markup=False, soft_wrap=True)
        return EXIT_REFUND_FAILED
    if refund.status == RefundStatus.NEEDS_ACTION:
        err.print(refund_needed(refund), style="yellow", markup=False, soft_wrap=True)
        return EXIT_REFUND_NEEDS_PERSON
    console.print(
        f"refund #{refund.id} of {amount} via {refund.provider}: {refund.status}", markup=False, soft_wrap=True
    )
    return 0


async def _refunds_since(shop: Shop, order_id: int, first: int | None) -> list[RefundView]:
    """The refunds a cancel just opened: the first one it names and any after it (ids only grow)."""
    if first is None:
        return []
    return [r for r in (await shop.views.order_money(order_id)).refunds if r.id >= first]


def _exit(code: int) -> None:
    if code:
        raise typer.Exit(code)


@order_app.command("show")
def order_show(order_id: int, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """An order with lines, totals, packing lists, payments and refunds (failed ones with the reason)."""

    async def go(shop: Shop) -> tuple[Any, Any, OrderMoney]:
        return (
            await shop.views.order(order_id),
            await shop.views.packing_lists(order_id),
            await shop.views.order_money(order_id),
        )

    order, packing, paid = run(go)
    if order is None:
        err.print(f"No order #{order_id}.")
        raise typer.Exit(1)
    if as_json:
        data = order.__dict__ | {
            "lines": [line.__dict__ for line in order.lines],
            "payments": [asdict(p) for p in paid.payments],
            "refunds": [asdict(r) for r in paid.refunds],
        }
        console.print_json(json.dumps(data, default=str))
        return
    console.print(f"[bold]Order #{order.id}[/bold]  {order.status}  ({order.financial_status})")
    for line in order.lines:
        console.print(
            f"  {line.quantity} × {line.name} [{line.sku}]  {money(line.unit_price * line.quantity, order.currency)}",
            markup=False,
        )
    for label, amount in [
        ("subtotal", order.subtotal),
        ("discount", -order.discount),
        ("shipping", order.shipping),
        ("tax", order.tax),
        ("total", order.total),
        ("refunded", order.refunded),
    ]:
        console.print(f"  {label:>9}: {money(amount, order.currency)}")
    if order.tracking_url:
        console.print(f"  tracking: {order.carrier} {order.tracking_number} {order.tracking_url}", markup=False)
    for plist in packing:
        console.print(f"  pick from {plist.warehouse_code}: " + ", ".join(f"{p.quantity}×{p.sku}" for p in plist.lines))
    _print_money(paid)


def _print_money(paid: OrderMoney) -> None:
    for p in paid.payments:
        why = f" — {p.failure_reason}" if p.failure_reason else ""
        console.print(
            f"  payment #{p.id}  {p.provider}  {money(p.amount, p.currency)}  {p.status}{why}",
            markup=False,
            soft_wrap=True,
        )
    for r in paid.refunds:
        failed = f"  FAILED: {r.failure_reason}" if r.status == RefundStatus.FAILED else ""
        console.print(
            f"  refund #{r.id}  {money(r.amount, r.currency)}  {r.status}  {r.reason!r} by {r.actor}{failed}",
            style="red" if failed else None,
            markup=False,
            soft_wrap=True,
        )
    for r in paid.refunds_needing_action:
        console.print(refund_needed(r), style="bold yellow", markup=False, soft_wrap=True)


@order_app.command("advance")
def order_advance(order_id: int, state: Annotated[str, typer.Argument(help="picking, packed or delivered")]) -> None:
    """Move an order along fulfilment (decisions on approval: `order approve` / `order reject`)."""
    status = run(lambda shop: shop.bus.handle(c.AdvanceOrder(order_id, state, actor=CLI_ACTOR)))
    console.print(f"order #{order_id} is {status}")


@order_app.command("approve")
def order_approve(order_id: int) -> None:
    """Approve an order awaiting approval; it goes on to fulfilment."""
    status = run(lambda shop: shop.bus.handle(c.ApproveOrder(order_id, actor=CLI_ACTOR)))
    console.print(f"order #{order_id} is {status}")


@order_app.command("reject")
def order_reject(order_id: int, reason: Annotated[str, typer.Option(help="Why; the shopper reads it.")]) -> None:
    """Reject an order awaiting approval: cancelled, stock given back, the payment refunded."""

    async def go(shop: Shop) -> list[RefundView]:
        first = await shop.bus.cancel(c.RejectOrder(order_id, reason, actor=CLI_ACTOR))
        return await _refunds_since(shop, order_id, first)

    refunds = run(go)
    console.print(f"order #{order_id} rejected")
    _exit(report_refunds(refunds))


@order_app.command("ship")
def order_ship(order_id: int, carrier: str, tracking_number: str) -> None:
    """Mark shipped with carrier and tracking number (the shopper is told)."""
    run(lambda shop: shop.bus.handle(c.ShipOrder(order_id, carrier, tracking_number, actor=CLI_ACTOR)))
    console.print(f"order #{order_id} shipped")


@order_app.command("cancel")
def order_cancel(order_id: int, reason: Annotated[str, typer.Option(help="Why.")] = "cancelled by staff") -> None:
    """Cancel, give stock back and refund what was paid."""

    async def go(shop: Shop) -> list[RefundView]:
        first = await shop.bus.cancel(c.CancelOrder(order_id, reason, actor=CLI_ACTOR))
        return await _refunds_since(shop, order_id, first)

    refunds = run(go)
    console.print(f"order #{order_id} cancelled")
    _exit(report_refunds(refunds))


@order_app.command("refund")
def order_refund(
    order_id: int,
    amount: Annotated[str | None, typer.Option(help="e.g. 12.50; default: all")] = None,
    reason: str = "refund",
) -> None:
    """Refund all or part of what was captured. Exit 1: the provider refused (reason printed); 3: do it by hand."""

    async def go(shop: Shop) -> list[RefundView | None]:
        minor = Money.parse(amount, shop.settings.currency).amount if amount else None
        # Our own key: the first call records the refunds (one per payment it comes from) and names them,
        # the second (same key, same refunds) asks the providers; what is read back is exactly these.
        cmd = c.RefundOrder(order_id, minor, reason, actor=CLI_ACTOR, idempotency_key=f"cli-{uuid.uuid4().hex}")
        refund_ids = [int(i) for i in await shop.bus.handle(cmd)]
        await shop.bus.refund(cmd)
        return [await shop.views.refund(i) for i in refund_ids]

    _exit(report_refunds(run(go)))


@order_app.command("refund-retry")
def order_refund_retry(refund_id: int) -> None:
    """Try a failed refund again (as a new refund); exit codes as for `order refund`."""

    async def go(shop: Shop) -> RefundView | None:
        cmd = c.RetryRefund(refund_id, actor=CLI_ACTOR)
        await shop.bus.retry_refund(cmd)
        # RetryRefund names the same new refund however often it is sent: read back what became of it.
        return await shop.views.refund(int(await shop.bus.handle(cmd)))

    _exit(report_refunds([run(go)]))


@order_app.command("refund-done")
def order_refund_done(
    refund_id: int,
    reference: Annotated[str, typer.Option(help="The provider's refund id, or a note of what you did.")],
) -> None:
    """Book a refund you made by hand at the provider (one listed as REFUND NEEDED)."""

    async def go(shop: Shop) -> RefundView | None:
        await shop.bus.handle(c.MarkRefundDone(refund_id, reference, actor=CLI_ACTOR))
        return await shop.views.refund(refund_id)

    _exit(report_refunds([run(go)]))


# --- customers & staff ----------------------------------------------------------------------------
@customer_app.command("export")
def customer_export(customer_id: int, out: Path | None = None) -> None:
    """Everything we hold about a customer, as JSON (data-subject access request)."""
    data = run(lambda shop: shop.views.customer_export(customer_id))
    if not data:
        err.print(f"No customer {customer_id}.")
        raise typer.Exit(1)
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    if out:
        out.write_text(text, encoding="utf-8")
        console.print(f"written to {out}")
    else:
        print(text)


@customer_app.command("forget")
def customer_forget(customer_id: int, yes: Annotated[bool, typer.Option("--yes")] = False) -> None:
    """Erase a customer's personal data (orders stay, anonymised)."""
    if not yes:
        typer.confirm(f"Erase the personal data of customer {customer_id}?", abort=True)
    run(lambda shop: shop.bus.handle(c.AnonymiseCustomer(customer_id, actor=CLI_ACTOR)))
    console.print(f"customer {customer_id} anonymised")


@staff_app.command("add")
def staff_add(
    name: str,
    role: Annotated[str, typer.Option(help="viewer, operator, approver or admin")] = "viewer",
    slack_user: Annotated[str | None, typer.Option("--slack-user", help="their Slack member id, U…")] = None,
    update: Annotated[bool, typer.Option("--update", help="change the staff member with this Slack id")] = False,
) -> None:
    """Add a staff member and their role (--update to change someone already added with that Slack id)."""
    try:
        parsed = Role[role.strip().upper()]
    except KeyError:
        err.print("role must be viewer, operator, approver or admin")
        raise typer.Exit(2) from None
    slack_user = slack_user.strip() if slack_user else None
    command = c.AddStaff(name, parsed, slack_user or None, actor=CLI_ACTOR, update=update)
    staff_id = run(lambda shop: shop.bus.handle(command))
    slack = f", Slack user {slack_user}" if slack_user else ", no Slack user"
    verb = "updated" if update else "added"
    console.print(f"staff #{staff_id} {name} {verb}: {parsed.name.lower()}{slack}", markup=False, soft_wrap=True)


@staff_app.command("list")
def staff_list() -> None:
    """Everyone, with role, Slack user and whether they can still act."""
    members = run(lambda shop: shop.views.staff_members())
    if not members:
        console.print('No staff yet: `chatshop staff add "Name" --role approver --slack-user U…`.', markup=False)
        return
    table = Table("id", "name", "role", "slack user", "active")
    for m in members:
        table.add_row(str(m.id), m.name, m.role.name.lower(), m.slack_user_id or "-", "yes" if m.active else "no")
    console.print(table)


@staff_app.command("deactivate")
def staff_deactivate(
    who: Annotated[str, typer.Argument(help="staff id (as in `staff list`) or Slack user id")],
) -> None:
    """Stop someone acting for the shop; what they did keeps their name."""

    async def go(shop: Shop) -> str:
        wanted = who.strip().lstrip("#")
        members = await shop.views.staff_members()
        found = next((m for m in members if m.slack_user_id == wanted or str(m.id) == wanted), None)
        if found is None:
            raise NotFound(f"No staff member {who}; `chatshop staff list` shows who there is.")
        return str(await shop.bus.handle(c.DeactivateStaff(found.id, actor=CLI_ACTOR)))

    console.print(f"{run(go)} is deactivated.", markup=False, soft_wrap=True)


def _staff_passwd() -> None:
    from chatshop.cli_staff_passwd import staff_passwd

    staff_app.command("passwd")(staff_passwd)


_staff_passwd()


def _staff_totp_reset() -> None:
    from chatshop.cli_staff_totp import staff_totp_reset

    staff_app.command("totp-reset")(staff_totp_reset)


_staff_totp_reset()


# --- reports --------------------------------------------------------------------------------------
def _window(days: int) -> tuple[date, date]:
    end = datetime.now(UTC).date()
    return end - timedelta(days=max(1, days) - 1), end


@report_app.command("sales")
def report_sales(days: int = 7) -> None:
    """Orders and revenue per day (the dashboard's rollups)."""
    start, end = _window(days)

    async def go(shop: Shop) -> tuple[Any, Any, str]:
        reports = shop.views.reports
        return await reports.trend(start, end), await reports.totals(start, end), reports.currency

    days_, total, currency = run(go)
    table = Table("day", "orders", "gross", "net", title=f"Sales {start} – {end}")
    for d in days_:
        table.add_row(str(d.day), str(d.orders), money(d.gross, currency), money(d.net, currency))
    table.add_row("total", str(total.orders), money(total.gross, currency), money(total.net, currency))
    console.print(table)
    console.print(f"average order value: {money(total.average_order_value, currency)}")


@report_app.command("top-products")
def report_top(days: int = 7, limit: int = 10) -> None:
    """Best sellers by units (the dashboard's rollups)."""
    start, end = _window(days)

    async def go(shop: Shop) -> tuple[Any, str]:
        return await shop.views.reports.top_products(start, end, "units", limit), shop.settings.currency

    rows, currency = run(go)
    table = Table("product", "units", "revenue", title=f"Top products {start} – {end}")
    for r in rows:
        table.add_row(r.label, str(r.orders), money(r.amount, currency))
    console.print(table)


@report_app.command("funnel")
def report_funnel(days: int = 7) -> None:
    """Customers reaching each step, from first message to payment (counted per day, as on the dashboard)."""
    start, end = _window(days)
    steps = run(lambda shop: shop.views.reports.funnel(start, end))
    table = Table("step", "customers", "of first", title=f"Funnel {start} – {end}")
    first = steps[0].orders if steps else 0
    for s in steps:
        table.add_row(s.key, str(s.orders), f"{100 * s.orders // first}%" if first else "-")
    console.print(table)


@report_app.command("customers")
def report_customers(by: str = "country") -> None:
    """Customers by country, channel or locale."""
    rows = run(lambda shop: shop.views.customers_by(by))
    table = Table(by, "customers")
    for r in rows:
        table.add_row(r.key, str(r.customers))
    console.print(table)


@outbox_app.command("status")
def outbox_status(
    latest: Annotated[int, typer.Option(help="How many of the latest dead events to list.")] = 5,
) -> None:
    """Pending, failing, dead and delivered domain events; the latest dead ones with their last error."""
    from domain.adapters.outbox import dead_events, outbox_backlog

    async def go(shop: Shop) -> tuple[dict[str, int], list[Any]]:
        return await outbox_backlog(shop.sessions, shop.clock.now()), await dead_events(shop.sessions, latest)

    counts, dead = run(go)
    console.print(counts)
    if dead:
        table = Table(
            "event id", "name", "attempts", "dead since", "last error", title=f"Dead events ({counts['dead']})"
        )
        for d in dead:
            table.add_row(d.event_id, d.name, str(d.attempts), f"{d.dead_at:%Y-%m-%d %H:%M} UTC", d.last_error or "")
        console.print(table)
        console.print("Make them pending again with `chatshop outbox retry EVENT_ID` or `--all-dead`.")


@outbox_app.command("retry")
def outbox_retry(
    event_id: Annotated[str | None, typer.Argument(help="A dead event's id (see `chatshop outbox status`).")] = None,
    all_dead: Annotated[bool, typer.Option("--all-dead", help="Every dead event.")] = False,
) -> None:
    """Make dead events pending again (attempts start over; subscribers that succeeded are not repeated)."""
    from domain.adapters.outbox import retry_dead

    if (event_id is None) == (not all_dead):
        err.print("Give one EVENT_ID or --all-dead.")
        raise typer.Exit(2)
    count = run(lambda shop: retry_dead(shop.sessions, shop.clock.now(), event_id))
    if event_id is not None and count == 0:
        err.print(f"[red]No dead event {event_id}.[/red]")
        raise typer.Exit(1)
    console.print(f"{count} dead event(s) pending again")


# --- server ---------------------------------------------------------------------------------------
@app.command("run")
def run_server(host: str | None = None, port: int | None = None) -> None:
    """Start the shop: HTTP server, outbox worker and scheduled jobs."""
    from chatshop.logging_setup import configure_from_settings
    from chatshop.server import serve

    settings = _settings()
    configure_from_settings(settings)
    if host is not None:
        settings = settings.model_copy(update={"http_host": host})
    problem = settings.unsafe_secret()
    if problem is not None:
        typer.echo(problem, err=True)
        raise typer.Exit(2)
    asyncio.run(serve(settings, host or settings.http_host, port or settings.http_port))


def _mount_subcommands() -> None:
    """The command groups that live in modules of their own (imported here, once the core groups exist)."""
    for module, attr, name in [
        ("chatshop.cli_nlu", "nlu_app", "nlu"),
        ("chatshop.cli_chat", "chat_app", None),
        ("chatshop.cli_support", "support_app", "support"),
        ("chatshop.cli_telegram", "telegram_app", "telegram"),
        ("chatshop.cli_campaign", "campaign_app", "campaign"),
        ("chatshop.cli_coupon", "coupon_app", "coupon"),
        ("chatshop.cli_doctor", "doctor_app", None),
        ("chatshop.cli_backup", "backup_app", None),
        ("chatshop.cli_webhook", "webhook_app", "webhook"),
        ("chatshop.cli_automation", "automation_app", "automation"),
        ("chatshop.cli_apikey", "apikey_app", "apikey"),
        ("chatshop.cli_purchasing", "po_app", "po"),
        ("chatshop.cli_purchasing", "stock_bin_app", "stock"),  # `chatshop stock bin`
        ("chatshop.cli_analytics", "analytics_app", "analytics"),
        ("chatshop.cli_scores", "scores_app", "scores"),
        ("chatshop.cli_forecast", "forecast_app", "forecast"),
    ]:
        sub = getattr(__import__(module, fromlist=[attr]), attr)
        if name is None:
            app.registered_commands.extend(sub.registered_commands)
        elif name == "stock":
            stock_app.registered_commands.extend(sub.registered_commands)
        else:
            app.add_typer(sub, name=name)


_mount_subcommands()

if __name__ == "__main__":
    app()
