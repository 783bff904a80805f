"""What a flow gets for one turn: the shop's ports, the chat's state, a translator, button helpers."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bots.conversation.messages import Button, Inbound, Reply
from bots.conversation.payloads import Payload, PayloadCodec
from bots.conversation.state import ConversationState
from bots.i18n import Translator
from domain import commands as c
from domain.model.money import Money
from domain.model.staff import Actor
from domain.ports import Clock
from domain.views.port import ScopedShopViews, ShopViews
from nlu.interface import NluEngine, ParseResult


class CommandBus(Protocol):
    """The part of the domain's MessageBus the bots use."""

    async def handle(self, command: c.Command) -> Any: ...
    async def cancel(self, command: c.CancelOrder) -> int | None: ...


@dataclass
class Services:
    bus: CommandBus
    views: ShopViews
    nlu: NluEngine
    clock: Clock
    codec: PayloadCodec
    currency: str = "USD"
    tax_rate_bp: int = 0


@dataclass(frozen=True)
class TurnBus:
    """The bus as one turn sees it: each command first ends the turn's read transaction, so the turn holds
    one pooled connection at a time and the views after a command see what it wrote."""

    bus: CommandBus
    views: ScopedShopViews

    async def handle(self, command: c.Command) -> Any:
        await self.views.release()
        return await self.bus.handle(command)

    async def cancel(self, command: c.CancelOrder) -> int | None:
        await self.views.release()
        return await self.bus.cancel(command)


def turn_services(services: Services, views: ScopedShopViews) -> Services:
    """The shop's services for one turn: its read scope's views and a bus that respects them."""
    return dataclasses.replace(services, views=views, bus=TurnBus(services.bus, views))


@dataclass
class Turn:
    services: Services
    inbound: Inbound
    state: ConversationState
    t: Translator
    analytics: list[c.RecordAnalytics] = field(default_factory=list)
    on_show: int | None = None  # the product whose card the previous turn showed (set by the engine)

    @property
    def chat(self) -> str:
        return f"{self.inbound.channel}:{self.inbound.chat_id}"

    @property
    def customer_id(self) -> int:
        assert self.state.customer_id is not None, "the engine identifies the shopper before any flow runs"
        return self.state.customer_id

    @property
    def actor(self) -> Actor:
        return Actor.shopper(self.customer_id)

    @property
    def locale(self) -> str:
        return self.t.locale

    def button(self, label: str, action: str, *args: str | int) -> Button:
        return Button(label, self.services.codec.encode(self.chat, action, *args))

    def money(self, amount: int, currency: str | None = None) -> str:
        return Money(amount, currency or self.services.currency).format()

    def record(self, name: str, **fields: Any) -> None:
        """Queue an analytics event; the engine writes them after the reply is built."""
        self.analytics.append(
            c.RecordAnalytics(name, customer_id=self.state.customer_id, channel=self.inbound.channel, **fields)
        )


IntentHandler = Callable[[Turn, ParseResult], Awaitable[list[Reply]]]
ActionHandler = Callable[[Turn, Payload], Awaitable[list[Reply]]]
FormHandler = Callable[[Turn, str], Awaitable[list[Reply]]]
FormStep = Callable[[Turn], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Form:
    """A flow that waits for typed answers (the checkout address, a coupon code, a return reason).

    The engine gives it only what is an answer: "cancel"/"stop" (and their Chinese) call ``leave``, "back"
    calls ``back`` (or ``leave`` without one), a confident request for something else is answered by its
    own flow and then ``resume`` asks the open question again."""

    answer: FormHandler
    resume: FormStep  # the current question again, as it was asked
    leave: FormStep  # the form closed (state finished) and the shopper told
    title: Callable[[Turn], str]  # what the form is, translated ("your checkout"), for "Now, back to …"
    back: FormStep | None = None  # one step back; None: "back" leaves
    # Intents that are answers here, never an interruption (a coupon code reads as apply_coupon).
    answer_intents: frozenset[str] = frozenset()


@dataclass
class Router:
    intents: dict[str, IntentHandler] = field(default_factory=dict)
    actions: dict[str, ActionHandler] = field(default_factory=dict)
    forms: dict[str, Form] = field(default_factory=dict)  # keyed by ConversationState.flow
    # The shop's own button labels (msgids) -> the action they press: typed, they mean what they say.
    labels: dict[str, str] = field(default_factory=dict)
    # Asked when a message is not understood well enough to act on ("Did you want to … or …?").
    ask: IntentHandler | None = None
