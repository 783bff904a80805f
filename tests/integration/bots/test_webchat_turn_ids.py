"""Web chat frames in the logs: one socket, one turn id per frame, every line of that frame's work carrying it."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bots.conversation.engine import ConversationEngine
from channels.webchat import server as webchat
from chatshop.bootstrap import Shop
from chatshop.logging_setup import configure_logging
from chatshop.subscribers.channels import subscribe_webchat
from chatshop.web import create_app
from tests.integration.bots.test_webchat import SETTINGS, Socket
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    root, level = logging.getLogger(), logging.getLogger().level
    handler = configure_logging("json", "DEBUG", [], out)
    yield out
    root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
async def client(small: SmallShop, engine: ConversationEngine) -> AsyncIterator[TestClient[Any, Any]]:
    def mount(app: aiohttp.web.Application, shop: Shop) -> None:
        webchat.mount(app, shop, engine=engine, settings=SETTINGS)
        subscribe_webchat(app, shop)

    async with TestClient(TestServer(create_app(small.shop, [mount]))) as test_client:
        yield test_client


def turn_ids(out: io.StringIO) -> set[str]:
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return {str(line.get("turn_id")) for line in lines if line["logger"].startswith(("bots.", "domain.", "channels."))}


async def test_each_frame_of_one_socket_is_a_turn_of_its_own_in_the_logs(
    client: TestClient[Any, Any], stream: io.StringIO
) -> None:
    seen: list[set[str]] = []
    async with client.ws_connect("/chat/ws") as ws:
        sock = Socket(ws)
        await sock.hello()
        await sock.replies()
        for text in ("show me red shoes", "what is in my cart"):
            stream.seek(0)
            stream.truncate()
            await sock.say(text)
            seen.append(turn_ids(stream))
    first, second = seen
    assert len(first) == 1 and len(second) == 1, seen  # all of the frame's lines under one id
    assert first != second and "None" not in first | second
