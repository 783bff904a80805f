"""``chatshop analytics backfill`` / ``verify``: rebuild the dashboard's rollups from raw rows, or check them.

The outbox keeps the rollups in step as orders change; backfill is for a new install, an upgrade that adds a
rollup, or a repair after ``verify`` found rows that differ (it exits 1 when it finds any)."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from chatshop.bootstrap import Shop
from domain.adapters.rollups import BACKFILL_STEPS, Mismatch, backfill, verify

console = Console()
analytics_app = typer.Typer(help="The dashboard's rollups: rebuild and verify.", no_args_is_help=True)


@analytics_app.command("backfill")
def backfill_command() -> None:
    """Rebuild every rollup from the orders, their lines and the analytics events (one transaction)."""
    from chatshop.cli import run

    async def go(shop: Shop) -> dict[str, int]:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Rebuilding rollups", total=BACKFILL_STEPS)
            return await backfill(
                shop.sessions, lambda name: progress.update(task, advance=1, description=f"Rebuilt {name}")
            )

    counts = run(go)
    table = Table("rollup", "rows")
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)


@analytics_app.command("verify")
def verify_command(limit: int = typer.Option(50, help="Show at most this many differing rows.")) -> None:
    """Compare every rollup row with the raw data; exit 1 if any differs."""
    from chatshop.cli import run

    async def go(shop: Shop) -> list[Mismatch]:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Verifying rollups", total=BACKFILL_STEPS)

            def step(name: str) -> None:
                progress.update(task, advance=1, description=f"Checked {name}")

            return await verify(shop.sessions, step)

    mismatches = run(go)
    if not mismatches:
        console.print("0 mismatches: every rollup equals the raw data.")
        return
    # One line per row (not a table): it stays whole in a narrow terminal and in a log, and greps.
    for m in mismatches[:limit]:
        typer.echo(f"{m.table} ({', '.join(m.key)}): raw {_values(m.expected)}, rollup {_values(m.actual)}")
    console.print(f"{len(mismatches)} mismatches; `chatshop analytics backfill` rebuilds the rollups.")
    raise typer.Exit(1)


def _values(values: tuple[object, ...] | None) -> str:
    return "no row" if values is None else "(" + ", ".join(str(v) for v in values) + ")"
