"""``GET /metrics`` on the shop's real server (loopback), scraped around a web chat purchase: the series move."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bots.conversation.engine import ConversationEngine
from channels.webchat import server as webchat
from chatshop.bootstrap import Shop
from chatshop.metrics import PrometheusMetrics, sample
from chatshop.metrics_http import mount_metrics
from chatshop.subscribers.channels import subscribe_webchat
from chatshop.web import create_app
from domain import commands as c
from domain.errors import OutOfStock
from domain.model.staff import Actor
from domain.observability import use_metrics
from tests.integration.bots.test_webchat import SETTINGS, Socket
from tests.support.shopdata import ADDRESS, SmallShop

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def recorder() -> Iterator[PrometheusMetrics]:
    recorder = PrometheusMetrics()
    previous = use_metrics(recorder)
    yield recorder
    use_metrics(previous)


@pytest.fixture
async def client(
    small: SmallShop, engine: ConversationEngine, recorder: PrometheusMetrics
) -> AsyncIterator[TestClient[Any, Any]]:
    def mount(app: aiohttp.web.Application, shop: Shop) -> None:
        webchat.mount(app, shop, engine=engine, settings=SETTINGS)
        subscribe_webchat(app, shop)

    app = create_app(small.shop, [mount])
    assert mount_metrics(app, small.shop, recorder) is None  # a loopback shop: /metrics on its own port
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def scrape(client: TestClient[Any, Any]) -> str:
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    return await response.text()


def value(text: str, name: str, **labels: str) -> float:
    found = sample(text, name, labels)
    return 0.0 if found is None else found


async def test_a_web_chat_purchase_moves_turn_nlu_checkout_payment_and_outbox_series(
    client: TestClient[Any, Any], small: SmallShop
) -> None:
    before = await scrape(client)
    assert value(before, "chatshop_turn_seconds_count", channel="webchat") == 0
    async with client.ws_connect("/chat/ws") as ws:
        sock = Socket(ws)
        await sock.hello()
        await sock.replies()
        card = await sock.say("show me red shoes")
        added = await sock.press(card, "Add to cart")
        replies = await sock.press(added, "Check out")
        for answer in ("Ann Shopper", "1 Main Street", "Springfield", "US", "12345"):
            replies = await sock.say(answer)
        replies = await sock.press(replies, "Standard")
        replies = await sock.press(replies, "Place order")
        link = replies[0]
        assert link["kind"] == "payment_link"
        placed = await scrape(client)
        page = await client.post(link["url"].replace("http://127.0.0.1:8080", ""), data={"outcome": "paid"})
        assert page.status == 200
        paid = await scrape(client)
        await small.shop.outbox.drain()
        await ws.receive_json(timeout=10)
    delivered = await scrape(client)

    turns = value(placed, "chatshop_turn_seconds_count", channel="webchat")
    assert turns >= 11  # the greeting, two messages, five answers and four presses
    assert value(placed, "chatshop_turn_seconds_sum", channel="webchat") > 0
    assert value(placed, "chatshop_nlu_parse_seconds_count") >= 1
    assert value(placed, "chatshop_nlu_confidence_count", intent="search_product") >= 1
    assert value(placed, "chatshop_checkouts_total", outcome="placed") == 1
    assert value(placed, "chatshop_commands_total", command="PlaceOrder", outcome="ok") == 1
    assert value(paid, "chatshop_payments_total", provider="sandbox", outcome="captured") == 1
    # Committed but not yet delivered: the shop's backlog, read from the database at scrape time.
    assert value(paid, "chatshop_outbox_pending") >= 1
    assert value(paid, "chatshop_outbox_lag_seconds") >= 0
    assert value(delivered, "chatshop_outbox_pending") == 0
    assert value(delivered, "chatshop_outbox_lag_seconds") == 0
    assert value(delivered, "chatshop_outbox_deliveries_total", event="OrderPaid", outcome="delivered") == 1
    assert value(delivered, "chatshop_db_pool_size") >= 1


async def test_a_checkout_refused_for_stock_is_counted_by_its_reason(
    client: TestClient[Any, Any], small: SmallShop
) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "SHOE-BLU-42", 2, actor=Actor.shopper(customer)))
    await small.shop.bus.handle(
        c.AdjustStock("SHOE-BLU-42", "WEST", -2, "damaged", actor=c.SYSTEM)
    )  # sold out meanwhile
    with pytest.raises(OutOfStock):
        await small.shop.bus.handle(
            c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer))
        )
    text = await scrape(client)
    assert value(text, "chatshop_checkouts_total", outcome="out_of_stock") == 1
    assert value(text, "chatshop_checkouts_total", outcome="placed") == 0


async def test_a_public_shop_serves_metrics_only_to_the_bearer_of_its_token(
    small: SmallShop, recorder: PrometheusMetrics
) -> None:
    small.shop.settings = small.shop.settings.model_copy(
        update={"http_host": "0.0.0.0", "metrics_token": SecretStr("scrape-me-please")}
    )
    app = create_app(small.shop, [])
    assert mount_metrics(app, small.shop, recorder) is None
    async with TestClient(TestServer(app)) as client:
        refused = [
            await client.get("/metrics"),
            await client.get("/metrics", headers={"Authorization": "Bearer wrong-token"}),
            await client.get("/metrics", headers={"Authorization": "Basic scrape-me-please"}),
        ]
        allowed = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
        assert [r.status for r in refused] == [401, 401, 401]
        assert refused[0].headers["WWW-Authenticate"].startswith("Bearer")
        assert allowed.status == 200 and "chatshop_outbox_pending" in await allowed.text()


async def test_a_public_shop_without_a_token_has_no_metrics_on_its_port(
    small: SmallShop, recorder: PrometheusMetrics
) -> None:
    small.shop.settings = small.shop.settings.model_copy(update={"public_url": "https://shop.example"})
    app = create_app(small.shop, [])
    assert mount_metrics(app, small.shop, recorder) is None
    async with TestClient(TestServer(app)) as client:
        assert (await client.get("/metrics")).status == 404
