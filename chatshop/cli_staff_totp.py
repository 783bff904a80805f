"""`chatshop staff totp-reset NAME`: turn a staff member's console second factor off (a lost phone); they sign
in with their password alone until they enrol again."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from chatshop.bootstrap import Shop
from chatshop.cli_staff_passwd import find_staff
from domain.adapters.staff_totp import SqlStaffTotpStore, totp_box
from domain.model.staff import Actor
from domain.staff_totp import reset_for

console = Console()


def staff_totp_reset(
    name: Annotated[str, typer.Argument(help="the staff member's name (as in `staff list`) or #id")],
) -> None:
    """Turn off a staff member's two-step sign-in to the console (they may enrol again)."""
    from chatshop.cli import run

    async def go(shop: Shop) -> tuple[int, bool]:
        staff_id = await find_staff(shop, name)
        # The server's command line: whoever runs it administers the shop (SYSTEM, as every CLI command).
        store = SqlStaffTotpStore(shop.sessions, shop.clock, totp_box(shop.settings.secret_key.get_secret_value()))
        return staff_id, await reset_for(store, Actor.system(), staff_id)

    staff_id, was_on = run(go)
    what = "turned off" if was_on else "was not on; nothing to do"
    console.print(f"Two-step sign-in for staff #{staff_id} {name.strip()}: {what}.", markup=False)
