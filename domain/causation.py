"""How many automation rules stand between an event and the person (or system) whose action started the
chain: 0 for a person's command, the triggering event's depth + 1 for what a rule's actions cause. Bound while
the outbox delivers an event, so work done for it (by any subscriber) inherits the event's depth, and written
with every event (``outbox.cause_depth``). Automation rules stop at a cap: no loops."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_DEPTH: ContextVar[int] = ContextVar("chatshop_cause_depth", default=0)


def current_cause_depth() -> int:
    return _DEPTH.get()


@contextmanager
def bound_cause_depth(depth: int) -> Iterator[int]:
    token = _DEPTH.set(max(0, depth))
    try:
        yield depth
    finally:
        _DEPTH.reset(token)
