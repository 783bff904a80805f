"""The Rasa client against a real aiohttp server on 127.0.0.1, including every way Rasa can fail."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web

from nlu.interface import ParseResult
from nlu.rasa_client import RasaEngine, result_from_rasa

RASA_ANSWER = {
    "text": "red shoes under 80",
    "intent": {"name": "search_product", "confidence": 0.93},
    "intent_ranking": [
        {"name": "search_product", "confidence": 0.93},
        {"name": "browse_catalog", "confidence": 0.05},
    ],
    "entities": [
        {"entity": "color", "start": 0, "end": 3, "value": "red", "extractor": "DIETClassifier"},
        {"entity": "category", "start": 4, "end": 9, "value": "Shoes", "extractor": "DIETClassifier"},
        {"entity": "max_price", "start": 16, "end": 18, "value": "80", "extractor": "DIETClassifier"},
        {"entity": "not_ours", "start": 0, "end": 3, "value": "x"},
    ],
}


class StubFallback:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def parse(self, text: str, locale: str | None = None) -> ParseResult:
        self.calls.append(text)
        return ParseResult(text, "greet", 0.42, (), "en", (("greet", 0.42),))


Handler = Callable[[web.Request], web.StreamResponse]


@pytest.fixture
async def rasa_server() -> AsyncIterator[Callable[[Handler], asyncio.Future]]:
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_post("/model/parse", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    yield start  # type: ignore[misc]
    for runner in runners:
        await runner.cleanup()


async def test_rasa_answer_is_mapped_to_a_parse_result(rasa_server) -> None:
    seen: list[dict] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append(await request.json())
        return web.json_response(RASA_ANSWER)

    url = await rasa_server(handler)
    fallback = StubFallback()
    async with RasaEngine(url, fallback=fallback, timeout=2) as engine:
        result = await engine.parse("red shoes under 80")
    assert seen == [{"text": "red shoes under 80"}]
    assert fallback.calls == [] and engine.fallbacks == 0
    assert result.intent == "search_product"
    assert result.confidence == pytest.approx(0.93)
    assert result.language == "en"
    assert [(e.entity, e.value, e.text) for e in result.entities] == [
        ("color", "red", "red"),
        ("category", "shoes", "shoes"),  # canonical casing, as the embedded engine returns it
        ("max_price", "80", "80"),
    ]
    assert result.intent_ranking[1] == ("browse_catalog", 0.05)


async def test_rasa_timing_out_falls_back_to_the_embedded_engine(rasa_server) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response(RASA_ANSWER)

    url = await rasa_server(slow)
    fallback = StubFallback()
    async with RasaEngine(url, fallback=fallback, timeout=0.2) as engine:
        result = await engine.parse("hello")
    assert result.intent == "greet" and fallback.calls == ["hello"] and engine.fallbacks == 1


async def test_rasa_refusing_connections_falls_back(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago and has no listener now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    fallback = StubFallback()
    async with RasaEngine(f"http://127.0.0.1:{port}", fallback=fallback, timeout=1) as engine:
        result = await engine.parse("hello")
    assert result.intent == "greet" and fallback.calls == ["hello"]
    assert "using the fallback engine" in caplog.text


@pytest.mark.parametrize(
    "body",
    [
        "not json at all",
        "[1, 2, 3]",
        '{"intent": null}',
        '{"intent": {"name": "greet", "confidence": "high"}}',
        '{"intent": {"name": "greet", "confidence": 7}}',
        "",
    ],
)
async def test_rasa_answering_garbage_falls_back(rasa_server, body: str) -> None:
    async def garbage(request: web.Request) -> web.Response:
        return web.Response(text=body, content_type="application/json")

    url = await rasa_server(garbage)
    fallback = StubFallback()
    async with RasaEngine(url, fallback=fallback, timeout=2) as engine:
        result = await engine.parse("hello")
    assert result.intent == "greet" and fallback.calls == ["hello"]


async def test_rasa_server_error_falls_back(rasa_server) -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500, text="boom")

    url = await rasa_server(broken)
    fallback = StubFallback()
    async with RasaEngine(url, fallback=fallback, timeout=2) as engine:
        assert (await engine.parse("hello")).intent == "greet"


async def test_without_a_fallback_a_failure_is_out_of_scope() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with RasaEngine(f"http://127.0.0.1:{port}", fallback=None, timeout=1) as engine:
        result = await engine.parse("hello")
    assert result.intent == "out_of_scope" and result.confidence == 0.0


async def test_empty_text_never_reaches_rasa(rasa_server) -> None:
    calls: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        calls.append(1)
        return web.json_response(RASA_ANSWER)

    url = await rasa_server(handler)
    async with RasaEngine(url, fallback=StubFallback()) as engine:
        result = await engine.parse("  \x00 ")
    assert result.intent == "out_of_scope" and calls == []


def test_rasa_entity_values_are_normalised_like_the_embedded_engine() -> None:
    payload = {
        "intent": {"name": "order_status", "confidence": 0.8},
        "entities": [
            {"entity": "order_id", "start": 9, "end": 14, "value": "#1042"},
            {"entity": "coupon_code", "start": 0, "end": 1, "value": "welcome10"},
            {"entity": "color", "start": "x", "end": 1, "value": "red"},  # malformed: skipped
            {"entity": "max_price", "start": 0, "end": 2, "value": "八十"},
            {"entity": "quantity", "start": 0, "end": 1, "value": "two"},
        ],
    }
    result = result_from_rasa(payload, "where is #1042", "en")
    assert [(e.entity, e.value) for e in result.entities] == [
        ("coupon_code", "WELCOME10"),
        ("max_price", "80"),
        ("quantity", "2"),
        ("order_id", "1042"),
    ]
