"""Who acts is always said: a command that carries an actor never falls back to one (issue 17)."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Callable

import pytest

from domain import commands as c

# Commands the shop itself issues (webhooks, jobs, the conversation engine on a shopper's first contact):
# they carry no actor because no person's permission is checked. A new command joins this list on purpose.
WITHOUT_ACTOR = {
    "AttributeOrder",
    "CheckChatPayment",
    "ClaimProviderEvent",
    "ConfirmPayment",
    "ExpireReservations",
    "FailPayment",
    "FinishCampaignRun",
    "IdentifyCustomer",
    "LinkTicketThread",
    "NotifyBackInStock",
    "OpenTicket",
    "PublishMarketingMessage",
    "RecordAnalytics",
    "RecordAnalyticsBatch",
    "RecordPaymentAttemptFailed",
    "RecordProviderRefunds",
    "RetryAutomationAction",
    "RunAutomations",
    "RunCampaignAutomations",
    "SetChannelReachable",
    "StartCampaignRun",
}


def _commands() -> list[type[c.Command]]:
    # Every command module (domain/commands*.py), so the answer doesn't depend on what other tests imported.
    import domain

    for module in pkgutil.iter_modules(domain.__path__):
        if module.name.startswith("commands"):
            importlib.import_module(f"domain.{module.name}")
    found: list[type[c.Command]] = []
    todo = list(c.Command.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: cls.__name__)


def test_every_command_with_an_actor_has_no_default_for_it() -> None:
    defaulted = []
    for cls in _commands():
        actor = {f.name: f for f in dataclasses.fields(cls)}.get("actor")
        if actor is None:
            continue
        if actor.default is not dataclasses.MISSING or actor.default_factory is not dataclasses.MISSING:
            defaulted.append(cls.__name__)
    assert defaulted == []


def test_only_the_listed_commands_carry_no_actor() -> None:
    without = {cls.__name__ for cls in _commands() if "actor" not in {f.name for f in dataclasses.fields(cls)}}
    assert without == WITHOUT_ACTOR


def test_the_actor_is_keyword_only_so_positional_fields_keep_their_order() -> None:
    positional_actor = [
        cls.__name__ for cls in _commands() for f in dataclasses.fields(cls) if f.name == "actor" and not f.kw_only
    ]
    assert positional_actor == []


@pytest.mark.parametrize(
    "build",
    [lambda: c.AddToCart(1, "SKU-1"), lambda: c.CancelOrder(1, "changed my mind")],  # type: ignore[call-arg]
)
def test_a_command_built_without_its_actor_is_a_type_error(build: Callable[[], c.Command]) -> None:
    with pytest.raises(TypeError, match="actor"):
        build()
