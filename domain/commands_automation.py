"""Commands for automation rules (issue 18). YAML is read at the edge; the domain gets its mapping."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.commands import Command
from domain.model.automation import MAX_DEPTH
from domain.model.staff import Actor


@dataclass(frozen=True)
class PutAutomationRule(Command):
    """Add a rule, or redefine the one with its name. ``source`` is the YAML as written (shown back)."""

    spec: dict[str, Any]
    source: str
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class SetAutomationEnabled(Command):
    name: str
    enabled: bool
    actor: Actor = field(kw_only=True)


@dataclass(frozen=True)
class RunAutomations(Command):
    """Run the enabled rules whose trigger is ``event_type`` on one committed event (the outbox calls it).
    ``depth``: the event's (domain/causation.py); at ``max_depth`` or deeper no rule runs (logged)."""

    event_id: str
    event_type: str
    payload: dict[str, Any] = field(default_factory=dict)
    depth: int = 0
    max_depth: int = MAX_DEPTH


@dataclass(frozen=True)
class RetryAutomationAction(Command):
    """Try again one action of a rule's run that the order could not take then (``AutomationActionRetry``)."""

    rule: str
    event_id: str
    event_type: str
    payload: dict[str, Any]
    action: int  # its index in the rule's ``then``
    attempt: int  # this try's number (the first try, in the run, was 1)
    retry_id: str = ""  # the retry event's id: a redelivered retry is not tried twice


@dataclass(frozen=True)
class DryRunAutomation(Command):
    """What rule ``name`` would have done for each of the last ``last`` events it triggers on; changes nothing."""

    name: str
    actor: Actor = field(kw_only=True)
    last: int = 10
