"""Who is doing the work at hand: the actor of the command being handled, for records written on the way
(an order's timeline names who approved, packed or refunded it even where the event itself does not)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_actor: ContextVar[str] = ContextVar("chatshop_acting", default="")


def current_actor() -> str:
    return _actor.get()


@contextmanager
def acting(name: str | None) -> Iterator[None]:
    """Within the block, ``current_actor()`` is ``name`` (an outer actor stays when ``name`` is empty)."""
    if not name:
        yield
        return
    token = _actor.set(name)
    try:
        yield
    finally:
        _actor.reset(token)
