"""``chatshop doctor``: check the configuration before going live; each problem comes with its fix."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chatshop.doctor import Finding, Status, diagnose
from chatshop.settings import get_settings

console = Console()
doctor_app = typer.Typer()

_STYLE = {Status.OK: "green", Status.WARNING: "yellow", Status.ERROR: "red", Status.SKIPPED: "dim"}


def exit_code(findings: list[Finding]) -> int:
    return 1 if any(f.status is Status.ERROR for f in findings) else 0


@doctor_app.command("doctor")
def doctor(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object: ok, and every finding.")] = False,
) -> None:
    """Check the database, migrations, Redis, secret key, public URL, Telegram, Slack, Stripe, SMTP and Rasa.

    Exits 1 when anything is an error (warnings don't fail)."""
    findings = asyncio.run(diagnose(get_settings()))
    code = exit_code(findings)
    if as_json:
        typer.echo(json.dumps({"ok": code == 0, "findings": [asdict(f) for f in findings]}, indent=2))
        raise typer.Exit(code)
    table = Table()
    for column in ("check", "", "finding", "how to fix"):
        table.add_column(column, overflow="fold")
    for f in findings:
        style = _STYLE[f.status]
        table.add_row(f.check, f"[{style}]{f.status.value}[/{style}]", f.message, f.fix)
    console.print(table)
    errors = sum(f.status is Status.ERROR for f in findings)
    warnings = sum(f.status is Status.WARNING for f in findings)
    console.print(
        f"[red]{errors} error(s)[/red], {warnings} warning(s)"
        if errors
        else f"[green]no errors[/green], {warnings} warning(s)"
    )
    raise typer.Exit(code)
