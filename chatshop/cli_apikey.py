"""`chatshop apikey ...`: keys for the admin API. A key is printed once, when made; only its hash is kept."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from chatshop.bootstrap import Shop
from domain.adapters.api_access import SqlApiKeyStore
from domain.errors import ValidationFailed
from domain.model.staff import SCOPES, parse_scopes

apikey_app = typer.Typer(help="Admin API keys: create (shown once), list, revoke.", no_args_is_help=True)
console = Console()


def key_store(shop: Shop) -> SqlApiKeyStore:
    return SqlApiKeyStore(shop.sessions, shop.clock)


@apikey_app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="Who or what uses it, e.g. erp-sync.")],
    scopes: Annotated[str, typer.Option(help=f"Comma-separated: {', '.join(SCOPES)}.")],
) -> None:
    """Make a key and print it once: store it in the other system's secrets now."""
    from chatshop.cli import run

    try:
        chosen = parse_scopes(scopes)
    except ValidationFailed as exc:
        console.print(f"[red]{exc.message}[/red]", highlight=False)
        raise typer.Exit(1) from None

    async def go(shop: Shop) -> tuple[object, str]:
        return await key_store(shop).create(name, chosen)

    _, key = run(go)
    console.print(f"API key {name} ({', '.join(sorted(chosen))}); it is not shown again:", highlight=False)
    print(key)


@apikey_app.command("list")
def list_keys(as_json: Annotated[bool, typer.Option("--json", help="One JSON object per key.")] = False) -> None:
    """Every key with its scopes, when it was last used, and whether it is revoked."""
    from chatshop.cli import run

    keys = run(lambda shop: key_store(shop).list())
    if as_json:
        for k in keys:
            when = {"created_at": k.created_at, "last_used_at": k.last_used_at, "revoked_at": k.revoked_at}
            fields = {"id": k.id, "name": k.name, "prefix": k.prefix, "scopes": sorted(k.scopes)}
            print(json.dumps(fields | {name: t.isoformat() if t else None for name, t in when.items()}))
        return
    table = Table("id", "name", "starts with", "scopes", "created", "last used", "revoked")
    for k in keys:
        table.add_row(
            str(k.id),
            k.name,
            k.prefix + "…",
            ", ".join(sorted(k.scopes)),
            f"{k.created_at:%Y-%m-%d %H:%M}",
            f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never",
            f"{k.revoked_at:%Y-%m-%d %H:%M}" if k.revoked_at else "",
        )
    console.print(table)


@apikey_app.command("revoke")
def revoke(name_or_id: Annotated[str, typer.Argument(help="The key's name or id.")]) -> None:
    """The key stops working at once."""
    from chatshop.cli import run

    revoked = run(lambda shop: key_store(shop).revoke(name_or_id))
    if revoked is None:
        console.print(f"[red]No active API key {name_or_id}.[/red]")
        raise typer.Exit(1)
    console.print(f"revoked API key {revoked.name} (id {revoked.id})")
