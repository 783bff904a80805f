"""A staff member's saved views of the order list: a name and the list's filter query. Two are built in for
everyone. Plain records and the port; SQL in ``domain.adapters.saved_views``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import parse_qsl, urlencode

from domain.errors import ValidationFailed

MAX_VIEWS = 30
# The order list's filter fields a view may keep (paging is not a view).
FIELDS = ("q", "state", "channel", "from", "until", "needs_approval")


@dataclass(frozen=True)
class SavedView:
    id: int | None  # None: built in
    name: str
    query: str  # the list's query string, e.g. "state=paid&state=approved"


BUILT_IN: tuple[SavedView, ...] = (
    # Ready for the warehouse: paid orders that need no approval and approved ones.
    SavedView(None, "To pick today", "state=paid&state=approved"),
    SavedView(None, "Awaiting approval", "needs_approval=1"),
)


def clean_view(name: str, query: str) -> tuple[str, str]:
    """A view's name and query as kept: only the list's filter fields, in a stable order."""
    name = " ".join(name.split())[:80]
    if not name:
        raise ValidationFailed("Give the view a name.")
    if any(name.casefold() == v.name.casefold() for v in BUILT_IN):
        raise ValidationFailed(f"{name} is a built-in view; pick another name.")
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k in FIELDS and v]
    kept = urlencode(sorted(pairs, key=lambda kv: FIELDS.index(kv[0])))[:1000]
    if not kept:
        raise ValidationFailed("Filter the list first: a view keeps its filters.")
    return name, kept


class SavedViewStore(Protocol):
    async def views(self, staff_id: int) -> list[SavedView]:
        """Their own views, by name (the built-in ones are not stored)."""
        ...

    async def save(self, staff_id: int, name: str, query: str) -> int:
        """Save (or replace, by name) one of their views; at most ``MAX_VIEWS`` each."""
        ...

    async def delete(self, staff_id: int, view_id: int) -> None:
        """Delete one of their own views (another's id changes nothing)."""
        ...
