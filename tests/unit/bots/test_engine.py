"""Engine behaviour with fakes of our own ports: routing, identity, analytics, never raising."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import Inbound, Reply, Text
from bots.conversation.payloads import Payload, PayloadCodec
from bots.conversation.state import MemoryStateStore
from bots.conversation.turn import Router, Services, Turn
from domain import commands as c
from domain.errors import ValidationFailed
from nlu.interface import Entity, ParseResult
from tests.support.clock import FakeClock


class FakeNlu:
    def __init__(self, intent: str, confidence: float, entities: tuple[Entity, ...] = ()) -> None:
        self.result = (intent, confidence, entities)

    async def parse(self, text: str, locale: str | None = None) -> ParseResult:
        intent, confidence, entities = self.result
        return ParseResult(text, intent, confidence, entities, "en")


class FakeBus:
    def __init__(self) -> None:
        self.commands: list[c.Command] = []

    async def handle(self, command: c.Command) -> Any:
        self.commands.append(command)
        return 41 if isinstance(command, c.IdentifyCustomer) else None

    async def cancel(self, command: c.CancelOrder) -> int | None:
        return None


class NoViews:
    """These flows read nothing: a read scope that is only a scope."""

    @asynccontextmanager
    async def read_scope(self) -> AsyncIterator[NoViews]:
        yield self

    async def release(self) -> None:
        return None


def engine_with(nlu: FakeNlu, router: Router) -> tuple[ConversationEngine, FakeBus]:
    bus, clock = FakeBus(), FakeClock()
    services = Services(bus, NoViews(), nlu, clock, PayloadCodec("s"))  # type: ignore[arg-type]
    return ConversationEngine(services, MemoryStateStore(clock), router), bus


def echo_router() -> Router:
    def routed_to(intent: str) -> Any:
        async def said(turn: Turn, parse: ParseResult) -> list[Reply]:
            return [Text(f"{intent} for customer {turn.customer_id}")]

        return said

    async def broken(turn: Turn, parse: ParseResult) -> list[Reply]:
        raise RuntimeError("boom")

    async def invalid(turn: Turn, parse: ParseResult) -> list[Reply]:
        raise ValidationFailed("Nope, not like that.")

    async def pressed(turn: Turn, payload: Payload) -> list[Reply]:
        return [Text(f"pressed {payload.args}")]

    router = Router()
    for intent in ("greet", "out_of_scope", "search_product", "apply_coupon"):
        router.intents[intent] = routed_to(intent)
    router.intents.update(checkout=broken, cancel_order=invalid)
    router.actions["x"] = pressed
    return router


async def test_first_message_identifies_the_shopper_and_records_intent_and_confidence() -> None:
    engine, bus = engine_with(FakeNlu("greet", 0.9), echo_router())
    replies = await engine.handle(Inbound("webchat", "c1", "u1", "Ann", text="hi"))
    assert [r.as_text() for r in replies] == ["greet for customer 41"]
    identify, batch = bus.commands  # the turn's analytics rows go in one command (one transaction)
    assert isinstance(identify, c.IdentifyCustomer) and identify.external_id == "u1"
    assert isinstance(batch, c.RecordAnalyticsBatch)
    [analytics] = batch.events
    assert analytics.name == "message_received"
    assert analytics.properties["intent"] == "greet" and analytics.properties["confidence"] == 0.9


async def test_a_guess_below_the_threshold_searches_when_products_are_named() -> None:
    entity = Entity("color", "red", 0, 3, "red")
    engine, _ = engine_with(FakeNlu("apply_coupon", 0.2, (entity,)), echo_router())
    assert (await engine.handle(Inbound("webchat", "c1", "u1", text="red?")))[0].as_text().startswith("search_product")
    engine, _ = engine_with(FakeNlu("apply_coupon", 0.2), echo_router())
    assert (await engine.handle(Inbound("webchat", "c1", "u1", text="hm")))[0].as_text().startswith("out_of_scope")


async def test_a_crashing_flow_gets_an_apology_not_an_exception() -> None:
    engine, _ = engine_with(FakeNlu("checkout", 0.99), echo_router())
    replies = await engine.handle(Inbound("webchat", "c1", "u1", text="checkout"))
    assert "Sorry, something went wrong" in replies[0].as_text()


async def test_a_domain_error_is_shown_with_its_message() -> None:
    engine, _ = engine_with(FakeNlu("cancel_order", 0.99), echo_router())
    replies = await engine.handle(Inbound("webchat", "c1", "u1", text="cancel"))
    assert replies[0].as_text().startswith("Sorry: Nope, not like that.")


async def test_buttons_reach_their_action_and_unknown_actions_are_stale() -> None:
    engine, _ = engine_with(FakeNlu("greet", 0.9), echo_router())
    codec = engine.services.codec
    pressed = await engine.handle(Inbound("webchat", "c1", "u1", payload=codec.encode("webchat:c1", "x", 5)))
    assert pressed[0].as_text() == "pressed ('5',)"
    stale = await engine.handle(Inbound("webchat", "c1", "u1", payload=codec.encode("webchat:c1", "gone")))
    assert "out of date" in stale[0].as_text()


async def test_unknown_channel_and_broken_inbound_still_get_an_answer() -> None:
    engine, _ = engine_with(FakeNlu("greet", 0.9), echo_router())
    assert "isn't supported" in (await engine.handle(Inbound("pigeon", "c1", "u1", text="hi")))[0].as_text()
    weird = Inbound(None, None, None, text=12345, payload=["x"], locale=object())  # type: ignore[arg-type]
    assert (await engine.handle(weird))[0].as_text()


class RankedNlu:
    def __init__(self, *ranking: tuple[str, float]) -> None:
        self.ranking = ranking

    async def parse(self, text: str, locale: str | None = None) -> ParseResult:
        intent, confidence = self.ranking[0]
        return ParseResult(text, intent, confidence, (), "en", self.ranking)


def asking_router() -> Router:
    router = echo_router()

    async def ask(turn: Turn, parse: ParseResult) -> list[Reply]:
        return [Text("which? " + ", ".join(i for i, _ in parse.intent_ranking))]

    router.intents["cancel_order"] = router.intents["greet"]
    router.ask = ask
    router.labels["My orders"] = "x"
    return router


async def test_an_intent_below_the_threshold_or_close_to_the_next_is_asked_about_not_acted_on() -> None:
    for ranking in [(("cancel_order", 0.57), ("order_status", 0.34)), (("cancel_order", 0.7), ("order_status", 0.3))]:
        engine, _ = engine_with(RankedNlu(*ranking), asking_router())  # type: ignore[arg-type]
        replies = await engine.handle(Inbound("webchat", "c1", "u1", text="my stuff"))
        assert replies[0].as_text() == "which? cancel_order, order_status"
    engine, _ = engine_with(RankedNlu(("cancel_order", 0.9), ("order_status", 0.05)), asking_router())  # type: ignore[arg-type]
    assert (await engine.handle(Inbound("webchat", "c1", "u1", text="x")))[0].as_text().startswith("greet")


async def test_markup_never_reaches_an_intent_and_button_labels_press_their_button() -> None:
    engine, _ = engine_with(RankedNlu(("cancel_order", 0.99)), asking_router())  # type: ignore[arg-type]
    replies = await engine.handle(Inbound("webchat", "c1", "u1", text="<script>alert(1)</script>"))
    assert replies[0].as_text().startswith("out_of_scope")
    replies = await engine.handle(Inbound("webchat", "c1", "u1", text="  MY ORDERS! "))
    assert replies[0].as_text() == "pressed ()"
