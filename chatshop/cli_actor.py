"""Who a CLI command acts as: a named staff member, whose role the domain checks like anyone else's.

The CLI runs on the server with the database's credentials, so it could act as the system and skip every
role check (it did: "--by" was free text, and a marketer approved their own campaign). Instead a command
names the staff member it acts for, and the domain checks that member's role:

1. ``--as NAME`` on the command line;
2. else ``CHATSHOP_STAFF=NAME`` in the environment (e.g. in a marketer's shell profile);
3. else the active staff member whose name is the OS user's login (``chatshop staff add "$USER" --role ...``).

Only active staff members count. Anyone with a shell on the server can still type another's name: this
makes the CLI follow the same rules as Slack and the console, it is not authentication.

Any command group can use it: ``ActorOption`` for the option, ``resolve_actor(shop, name)`` inside the
command's coroutine (it raises ``NotFound`` with what to do, which the CLI prints).
"""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

from chatshop.bootstrap import Shop
from domain.adapters.lookups import active_staff_role
from domain.errors import NotFound
from domain.model.staff import Actor

ENV = "CHATSHOP_STAFF"

ActorOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        "--by",
        help=f"The staff member you act as (default: ${ENV}, else the staff member named like your OS user).",
    ),
]


def os_user() -> str | None:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (some containers)
        return None


def wanted_name(name: str | None) -> tuple[str | None, str]:
    """The name to look up and where it came from (for the error message)."""
    if name:
        return name, "--as"
    if os.environ.get(ENV):
        return os.environ[ENV], ENV
    return os_user(), "your OS user"


async def resolve_actor(shop: Shop, name: str | None) -> Actor:
    """The staff member named by ``--as``, ``$CHATSHOP_STAFF`` or the OS user, as an actor."""
    wanted, source = wanted_name(name)
    if wanted:
        role = await active_staff_role(shop.sessions, wanted)
        if role is not None:
            return Actor.staff(wanted, role)
    who = f"{wanted!r} ({source})" if wanted else "nobody (no --as, no $CHATSHOP_STAFF, no OS user name)"
    raise NotFound(
        f"Acting as {who}: that is not an active staff member. Name one with --as NAME or {ENV}=NAME; "
        "an admin adds staff with: chatshop staff add NAME --role operator|approver|admin"
    )
