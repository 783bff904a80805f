"""The HTTP server on loopback: health and the sandbox payment page, through real requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from chatshop.web import create_app
from domain import commands as c
from tests.support.shopdata import SmallShop


@pytest.fixture
async def server(small: SmallShop, tmp_path: Path) -> AsyncIterator[str]:
    runner = web.AppRunner(create_app(small.shop, [], media_dir=tmp_path / "media"))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def test_paying_on_the_sandbox_page_marks_the_order_paid(server: str, small: SmallShop) -> None:
    order_id = await small.checkout(await small.customer())
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    path = link.url.split("/sandbox/", 1)[1]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server}/sandbox/{path}") as resp:
            page = await resp.text()
            assert resp.status == 200 and "Pay 85.00 USD" in page and "Stride Running Shoes" in page
        async with http.post(f"{server}/sandbox/{path}", data={"outcome": "paid"}) as resp:
            assert "Payment received" in await resp.text()
        async with http.post(f"{server}/sandbox/{path}", data={"outcome": "declined"}) as resp:
            assert "Payment received" in await resp.text()  # a second press changes nothing
    order = await small.shop.views.order(order_id)
    assert order is not None and order.status == "paid"


async def test_a_declined_card_on_the_sandbox_page_keeps_the_stock_until_the_link_expires(
    server: str, small: SmallShop
) -> None:
    order_id = await small.checkout(await small.customer(), quantity=3)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    async with aiohttp.ClientSession() as http:
        url = f"{server}/sandbox/{link.url.split('/sandbox/', 1)[1]}"
        async with http.post(url, data={"outcome": "declined"}) as resp:
            assert "The card was declined" in await resp.text()
        async with http.post(url, data={"outcome": "<script>"}) as resp:
            assert resp.status == 400
        async with http.get(f"{server}/sandbox/pay/sbcs_forged") as resp:
            assert resp.status == 404
        order = await small.shop.views.order(order_id)
        assert order is not None and order.status == "pending_payment"
        stock = await small.shop.views.stock("SHOE-RED-42")
        assert stock is not None and stock.available == 5  # still held for another card
        async with http.post(url, data={"outcome": "expired"}) as resp:
            assert "This payment link has expired" in await resp.text()
    order = await small.shop.views.order(order_id)
    assert order is not None and order.status == "cancelled"
    stock = await small.shop.views.stock("SHOE-RED-42")
    assert stock is not None and stock.available == 8
