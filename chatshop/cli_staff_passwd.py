"""`chatshop staff passwd NAME`: a staff member's console password (argon2 hash kept) and console language."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console

from chatshop.bootstrap import Shop
from domain.adapters.staff_access import SqlStaffAccessStore
from domain.errors import NotFound, ValidationFailed
from domain.staff_access import LOCALES, check_locale, check_password

console = Console()
err = Console(stderr=True)


async def find_staff(shop: Shop, who: str) -> int:
    """The active staff member called ``who`` (or ``#id``); refused when the name is not one person's."""
    wanted = who.strip()
    members = [m for m in await shop.views.staff_members() if m.active]
    if wanted.lstrip("#").isascii() and wanted.lstrip("#").isdigit():
        by_id = [m for m in members if m.id == int(wanted.lstrip("#"))]
        if by_id:
            return by_id[0].id
    named = [m for m in members if m.name == wanted]
    if not named:
        raise NotFound(f"No active staff member {who}; `chatshop staff list` shows who there is.")
    if len(named) > 1:
        ids = ", ".join(f"#{m.id}" for m in named)
        raise ValidationFailed(f"{len(named)} staff members are called {wanted} ({ids}); give the id instead.")
    return named[0].id


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt("New password", hide_input=True)
    second = typer.prompt("Again", hide_input=True)
    if first != second:
        err.print("The two passwords differ; nothing was changed.")
        raise typer.Exit(1)
    return str(first)


def staff_passwd(
    name: Annotated[str, typer.Argument(help="the staff member's name (as in `staff list`) or #id")],
    stdin: Annotated[bool, typer.Option("--stdin", help="read the password from the first line of stdin")] = False,
    locale: Annotated[str, typer.Option(help=f"the console's language: {', '.join(LOCALES)}")] = "en",
) -> None:
    """Set a staff member's password for the console at /admin; their open sessions end."""
    from chatshop.cli import run

    password = read_password(stdin)
    try:
        check_password(password)
        check_locale(locale)
    except ValidationFailed as exc:
        err.print(exc.message, markup=False)
        raise typer.Exit(1) from None

    async def go(shop: Shop) -> int:
        staff_id = await find_staff(shop, name)
        await SqlStaffAccessStore(shop.sessions, shop.clock).set_password(staff_id, password, locale)
        return staff_id

    staff_id = run(go)
    console.print(f"Password set for staff #{staff_id} {name.strip()}; console language {locale}.", markup=False)
