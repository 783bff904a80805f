"""One entry of the subscriber registry (kept apart so feature modules and the registry share it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Subscriber:
    """An outbox subscriber: ``name`` is its durable consumer name (processed_messages), so renaming one
    redelivers every past event to it; ``events`` None means every event (the webhook fan-out)."""

    name: str
    events: frozenset[str] | None
    does: str
    feature: str = ""


def listing(feature: str, *entries: tuple[str, Iterable[str] | None, str]) -> tuple[Subscriber, ...]:
    return tuple(
        Subscriber(name, None if events is None else frozenset(events), does, feature) for name, events, does in entries
    )


def subscribe(outbox: Any, listed: Iterable[Subscriber], name: str, handler: Any) -> None:
    """Subscribe ``name`` with the events its feature lists for it (KeyError when it is not listed)."""
    events = {s.name: s for s in listed}[name].events
    outbox.subscribe(name, handler, events=None if events is None else set(events))
