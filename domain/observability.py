"""What the shop tells its operators about itself: a turn id carried through one piece of work, and metrics.

**Turn id.** Every piece of work that starts at the edge (an HTTP request, a web chat frame, a Telegram
update, a Slack request, a Stripe webhook) runs with an id in a context variable. The logs carry it (see
``chatshop/logging_setup.py``), the unit of work stores it with the outbox rows the work causes, and the
outbox worker binds it again while delivering them, so one grep follows a shopper's message to the
Telegram call it produced. It lives here, in the innermost layer, because every layer reads or sets it.

**Metrics** is a port: the domain, the bots and the channels report through ``metrics()`` and never
import a metrics library; ``chatshop/metrics.py`` installs the Prometheus implementation at start-up
(``use_metrics``). Like a logging handler it is process-wide: a counter is a fact about the process, not
about one request, and threading a metrics object through every constructor would touch every file for
no gain. Until one is installed (tests, the CLI) reports go nowhere.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol

_TURN_ID: ContextVar[str | None] = ContextVar("chatshop_turn_id", default=None)
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def new_turn_id() -> str:
    return uuid.uuid4().hex[:16]


def current_turn_id() -> str | None:
    return _TURN_ID.get()


def safe_turn_id(value: str | None) -> str | None:
    """An id taken from outside (an ``X-Request-ID`` header, a database row) when it is a plain token, else
    None: it is written into every log line, so it must not smuggle in line breaks or markup."""
    return value if value is not None and _SAFE_ID.fullmatch(value) else None


@contextmanager
def bound_turn(turn_id: str | None = None) -> Iterator[str]:
    """Run the block under ``turn_id`` (a new one when None or unsafe); the previous id comes back after."""
    value = safe_turn_id(turn_id) or new_turn_id()
    token = _TURN_ID.set(value)
    try:
        yield value
    finally:
        _TURN_ID.reset(token)


def begin_turn(turn_id: str | None = None) -> str:
    """Start a new turn in the current task and leave it bound: for a loop whose every pass is new work
    (a web chat socket's frames), where the task ends with the loop."""
    value = safe_turn_id(turn_id) or new_turn_id()
    _TURN_ID.set(value)
    return value


@contextmanager
def turn_if_unbound() -> Iterator[str]:
    """Keep the id bound by the caller (the HTTP entry); start one for work that arrived without (the CLI)."""
    existing = _TURN_ID.get()
    if existing is not None:
        yield existing
        return
    with bound_turn() as value:
        yield value


class Metrics(Protocol):
    """Measurements the shop reports. Labels are small closed sets (channel, provider, outcome), never ids."""

    def turn(self, channel: str, seconds: float) -> None:
        """A conversation turn took ``seconds`` (NLU, flow, database), from the engine's start to its replies."""

    def nlu_parse(self, seconds: float, intent: str, confidence: float) -> None: ...

    def command(self, command: str, outcome: str) -> None:
        """A domain command finished: outcome ``ok`` or the error's kind (``out_of_stock``…)."""

    def checkout(self, outcome: str) -> None: ...

    def payment(self, provider: str, outcome: str) -> None: ...

    def campaign_send(self, channel: str, outcome: str, rate_limit: float) -> None:
        """One campaign message's outcome (sent, blocked, failed, retry) and the rate the sender keeps to."""

    def telegram_429(self, source: str) -> None: ...

    def webhook_delivery(self, outcome: str) -> None: ...

    def slack_ack(self, seconds: float) -> None: ...

    def outbox_delivery(self, event: str, outcome: str) -> None: ...


class NullMetrics:
    """Reports go nowhere (no metrics configured)."""

    def turn(self, channel: str, seconds: float) -> None:
        pass

    def nlu_parse(self, seconds: float, intent: str, confidence: float) -> None:
        pass

    def command(self, command: str, outcome: str) -> None:
        pass

    def checkout(self, outcome: str) -> None:
        pass

    def payment(self, provider: str, outcome: str) -> None:
        pass

    def campaign_send(self, channel: str, outcome: str, rate_limit: float) -> None:
        pass

    def telegram_429(self, source: str) -> None:
        pass

    def webhook_delivery(self, outcome: str) -> None:
        pass

    def slack_ack(self, seconds: float) -> None:
        pass

    def outbox_delivery(self, event: str, outcome: str) -> None:
        pass


_metrics: list[Metrics] = [NullMetrics()]


def metrics() -> Metrics:
    return _metrics[0]


def use_metrics(recorder: Metrics) -> Metrics:
    """Install ``recorder`` for the process; returns the one it replaces (tests put it back)."""
    previous, _metrics[0] = _metrics[0], recorder
    return previous


def webhook_delivered(outcome: str) -> None:
    """For the outbound webhooks sender: one delivery attempt's outcome (``delivered``, ``failed``, ``dead``…)."""
    _metrics[0].webhook_delivery(outcome)


def error_kind(exc: BaseException) -> str:
    """``OutOfStock`` -> ``out_of_stock``: an outcome label from an error's class."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def command_finished(command: object, error: BaseException | None) -> None:
    """Called by the message bus once per command (after its retries): the command's outcome, and for the
    commands that are a checkout or a payment, that outcome by its own name."""
    recorder = _metrics[0]
    name = type(command).__name__
    outcome = "ok" if error is None else error_kind(error)
    recorder.command(name, outcome)
    if name == "PlaceOrder":
        recorder.checkout("placed" if error is None else outcome)
    elif name in ("ConfirmPayment", "FailPayment", "RecordPaymentAttemptFailed"):
        provider = str(getattr(command, "provider", "unknown"))[:32]
        if error is not None:
            recorder.payment(provider, outcome)
        elif name == "ConfirmPayment":
            recorder.payment(provider, "captured")
        elif name == "FailPayment":
            recorder.payment(provider, "expired" if getattr(command, "expired", False) else "failed")
        else:
            recorder.payment(provider, "declined")
