"""Keep aiogram's parametrised ``Response[...]`` models built.

aiogram validates every Bot API answer with ``Response[method.__returning__]``. pydantic caches parametrised
generic models in a ``WeakValueDictionary``, and a model class lives in reference cycles, so each cyclic
garbage collection drops the ones nothing else holds and the next API call builds its schema again (about
10 ms each). In ``bench/telegram_updates.py`` that was 242 rebuilds for 480 updates, 18% of the shop's CPU
(cProfile with a CPU clock). Holding one reference to each keeps them built: 41 models, about 0.2 s once
per process.
"""

from __future__ import annotations

from typing import Any

from aiogram import methods
from aiogram.methods.base import Response, TelegramMethod

_PINNED: list[Any] = []


def pin_responses() -> int:
    """Build the response model of every Bot API method once and keep it; returns how many are held."""
    if _PINNED:
        return len(_PINNED)
    returning: dict[str, Any] = {}
    for name in methods.__all__:
        cls = getattr(methods, name)
        if not (isinstance(cls, type) and issubclass(cls, TelegramMethod)):
            continue
        result = getattr(cls, "__returning__", None)
        if result is not None and not isinstance(result, property):
            returning.setdefault(repr(result), result)
    _PINNED.extend(Response[result] for result in returning.values())  # type: ignore[valid-type]
    return len(_PINNED)
