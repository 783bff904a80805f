"""Logs: one JSON object a line (``CHATSHOP_LOG_FORMAT=json``) or readable lines, every one with its turn id.

The code logs through the standard library (``logging.getLogger(__name__)``, as aiogram, Bolt and aiohttp
do); structlog's ``ProcessorFormatter`` renders those records. Every record gets ``turn_id`` from
``domain/observability.py``, so ``grep <id>`` follows a shopper's message from the HTTP entry through the
engine and the outbox to the Telegram call it produced.

Secrets never reach the output: the last step of rendering replaces every configured secret (bot token,
Stripe and Slack keys, signing and webhook secrets, the secret key) and anything shaped like one (Stripe
``sk_``/``rk_``/``whsec_``, Slack ``xox?-``/``xapp-``, a Telegram bot token, a card number that passes the
Luhn check) by ``[redacted]``: a URL with the bot token in an aiohttp error, a traceback, a payload logged
at DEBUG by a library.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any

import structlog
from structlog.typing import EventDict, WrappedLogger

from domain.observability import current_turn_id

REDACTED = "[redacted]"
SHAPES = re.compile(
    r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}"  # Stripe keys
    r"|whsec_[A-Za-z0-9+/=]{8,}"  # Stripe webhook signing secrets
    r"|xox[abposr]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}"  # Slack tokens
    r"|\b\d{6,12}:[A-Za-z0-9_-]{30,}"  # Telegram bot tokens (also inside /bot<token>/ URLs)
)
# A card number: 13 to 19 digits (spaces or dashes between) starting as card networks do (2-6), passing the
# Luhn check, and not part of a longer word: a supergroup's chat id (-100…) or a session id stays.
CARD = re.compile(r"(?<![\w.-])[2-6](?:[ -]?\d){12,18}(?![\w.])")
_secrets: set[str] = set()


def add_secret(value: str | None) -> None:
    """Never log ``value`` (an API key made at run time, say); values shorter than 8 characters are ignored
    (they would blank out ordinary words)."""
    if value and len(value) >= 8:
        _secrets.add(value)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group())
    return "[card]" if _luhn(digits) else match.group()


def redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
        escaped = json.dumps(secret)[1:-1]
        if escaped != secret and escaped in text:
            text = text.replace(escaped, REDACTED)
    text = SHAPES.sub(REDACTED, text)
    return CARD.sub(_card, text)


def _add_turn_id(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    turn = current_turn_id()
    if turn is not None:
        event.setdefault("turn_id", turn)
    return event


def _redact_rendered(_: WrappedLogger, __: str, rendered: Any) -> str:
    return redact(str(rendered))


def _console_turn(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """Readable lines: the turn id first, short (``[3f2a9c01]``), so a human can follow one turn too."""
    turn = event.pop("turn_id", None)
    if turn:
        event["event"] = f"[{turn}] {event.get('event', '')}"
    return event


def formatter(fmt: str) -> logging.Formatter:
    shared: list[Any] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_turn_id,
    ]
    if fmt == "json":
        final: list[Any] = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
            _redact_rendered,
        ]
    else:
        final = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            _console_turn,
            structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback),
            _redact_rendered,
        ]
    return structlog.stdlib.ProcessorFormatter(foreign_pre_chain=shared, processors=final)


def configure_logging(
    fmt: str = "console", level: str = "INFO", secrets: Iterable[str | None] = (), stream: Any = None
) -> logging.Handler:
    """Send every log record (ours and the libraries') to ``stream`` (stderr) in ``fmt``; returns the handler."""
    for secret in secrets:
        add_secret(secret)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_chatshop", False)]:
        root.removeHandler(old)
    handler._chatshop = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def settings_secrets(settings: Any) -> list[str | None]:
    """Every secret the settings hold (any ``SecretStr`` field, so one added later is covered too)."""
    values: list[str | None] = []
    fields: MutableMapping[str, Any] = dict(settings)
    for value in fields.values():
        get = getattr(value, "get_secret_value", None)
        if callable(get):
            values.append(get())
    return values


def configure_from_settings(settings: Any, stream: Any = None) -> logging.Handler:
    return configure_logging(settings.log_format, settings.log_level, settings_secrets(settings), stream)
