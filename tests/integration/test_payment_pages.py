"""The shopper's payment pages through real HTTP: the sandbox pay page (decline, try again, expiry, an
order paid elsewhere) and the pages Stripe Checkout returns the shopper to (``success_url``/``cancel_url``)."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from channels.telegram import mount as mount_telegram
from channels.webchat import server as webchat
from chatshop.bootstrap import Shop, build_shop
from chatshop.settings import Settings
from chatshop.subscribers.channels import subscribe_telegram, subscribe_webchat
from chatshop.web import Mount, create_app
from domain import commands as c
from domain.model.customers import Channel
from domain.model.staff import Actor
from nlu.embedded import EmbeddedEngine
from nlu.interface import NluEngine
from tests.integration.bots.conftest import NLU_CACHE, make_engine
from tests.integration.telegram.conftest import make_telegram
from tests.support.clock import FakeClock
from tests.support.fake_telegram import BOT_USERNAME, FakeTelegram
from tests.support.shopdata import ADDRESS, SmallShop


@dataclass
class Site:
    url: str
    small: SmallShop
    http: aiohttp.ClientSession

    @property
    def shop(self) -> Shop:
        return self.small.shop

    async def get(self, path: str, **headers: str) -> tuple[int, str]:
        async with self.http.get(self.url + path, headers=headers) as resp:
            return resp.status, await resp.text()

    async def post(self, path: str, outcome: str, **headers: str) -> tuple[int, str]:
        async with self.http.post(self.url + path, data={"outcome": outcome}, headers=headers) as resp:
            return resp.status, await resp.text()


Serve = Callable[[SmallShop, list[Mount]], Awaitable[Site]]


@pytest.fixture(scope="module")
def nlu_engine() -> NluEngine:
    return EmbeddedEngine.load(cache_dir=NLU_CACHE)


@pytest.fixture
async def serve(tmp_path: Path) -> AsyncIterator[Serve]:
    """The app of ``chatshop run`` on a loopback port, with the channels a test mounts."""
    runners: list[web.AppRunner] = []
    async with aiohttp.ClientSession() as http:

        async def start(small: SmallShop, mounts: list[Mount]) -> Site:
            runner = web.AppRunner(create_app(small.shop, mounts, media_dir=tmp_path / "media"), access_log=None)
            await runner.setup()
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            runners.append(runner)
            port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            return Site(f"http://127.0.0.1:{port}", small, http)

        yield start
    for runner in runners:
        await runner.cleanup()


@pytest.fixture
async def site(serve: Serve, small: SmallShop) -> Site:
    return await serve(small, [])


async def web_order(site: Site, locale: str | None = None, coupon: str | None = None, quantity: int = 1) -> int:
    customer = int(await site.shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "web-1", "Ann", locale=locale)))
    if coupon:
        await site.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", quantity, actor=Actor.shopper(customer)))
        await site.shop.bus.handle(c.ApplyCoupon(customer, coupon, actor=Actor.shopper(customer)))
        return int(
            await site.shop.bus.handle(
                c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer))
            )
        )
    return await site.small.checkout(customer, quantity=quantity)


async def pay_page(site: Site, order_id: int) -> str:
    """The sandbox page's path for the order (StartPayment reuses the open session)."""
    link = await site.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    return "/sandbox/" + link.url.split("/sandbox/", 1)[1]


async def available(shop: Shop, sku: str = "SHOE-RED-42") -> int:
    stock = await shop.views.stock(sku)
    assert stock is not None
    return stock.available


def amounts(page: str, row_id: str) -> Decimal:
    match = re.search(rf'id="{row_id}"><td>[^<]*</td><td class="r">(-?[\d,.]+) USD</td>', page)
    assert match, f"no {row_id} row"
    return Decimal(match.group(1).replace(",", ""))


# --- the sandbox pay page ------------------------------------------------------------------------------


async def test_a_declined_card_keeps_the_order_and_its_stock_and_offers_another_card(site: Site) -> None:
    order_id = await web_order(site, quantity=3)
    path = await pay_page(site, order_id)
    status, page = await site.post(path, "declined")
    assert status == 200
    assert "The card was declined. No money was taken" in page
    assert re.search(r"id='pay'>Pay 240.00 USD with another card</button>", page)
    assert "You can close this page." in page  # no web chat mounted here: no dead link to it
    order = await site.shop.views.order(order_id)
    assert order is not None and order.status == "pending_payment" and order.captured == 0
    assert await available(site.shop) == 5  # the three stay reserved for the next try
    assert (await site.shop.sandbox.get(path.rsplit("/", 1)[1])).status == "open"

    status, page = await site.post(path, "paid")  # another card
    assert status == 200 and 'data-status="paid"' in page and "Payment received" in page
    order = await site.shop.views.order(order_id)
    assert order is not None and order.status == "paid" and order.captured == order.total


async def test_after_a_decline_only_the_links_expiry_ends_the_order_and_frees_the_stock(site: Site) -> None:
    order_id = await web_order(site, quantity=3)
    path = await pay_page(site, order_id)
    await site.post(path, "declined")
    await site.post(path, "declined")
    status, page = await site.post(path, "expired")
    assert status == 200 and 'data-status="expired"' in page and "This payment link has expired." in page
    assert "id='pay'" not in page
    order = await site.shop.views.order(order_id)
    assert order is not None and order.status == "cancelled" and "expired" in (order.cancel_reason or "")
    assert await available(site.shop) == 8
    status, page = await site.post(path, "paid")  # a late press takes nothing
    assert 'data-status="expired"' in page
    order = await site.shop.views.order(order_id)
    assert order is not None and order.captured == 0


async def test_junk_outcomes_and_unknown_sessions_are_refused(site: Site) -> None:
    path = await pay_page(site, await web_order(site))
    assert (await site.post(path, "<script>"))[0] == 400
    assert (await site.get("/sandbox/pay/sbcs_forged"))[0] == 404
    assert (await site.post("/sandbox/pay/sbcs_forged", "paid"))[0] == 404
    assert (await site.get("/sandbox/pay/" + "x" * 5000))[0] == 404


async def test_a_closed_session_says_already_paid_and_paying_on_it_takes_no_money(site: Site) -> None:
    order_id = await web_order(site)
    path = await pay_page(site, order_id)
    session_id = path.rsplit("/", 1)[1]
    await site.shop.sandbox.close_session(session_id)  # what the shop does once another payment succeeded

    status, page = await site.get(path)
    assert status == 200 and 'data-status="closed"' in page and "This order is already paid." in page
    assert "id='pay'" not in page and "<form" not in page
    for outcome in ("paid", "declined", "expired"):
        status, page = await site.post(path, outcome)
        assert status == 200 and 'data-status="closed"' in page and "<form" not in page
    assert (await site.shop.sandbox.get(session_id)).status == "closed"
    order = await site.shop.views.order(order_id)
    assert order is not None and order.status == "pending_payment" and order.captured == 0

    status, page = await site.get(path, **{"Accept-Language": "zh-CN"})  # Ann's chat is in English
    assert "This order is already paid." in page


async def test_the_pay_page_of_a_cancelled_order_offers_no_pay_button(site: Site) -> None:
    order_id = await web_order(site)
    path = await pay_page(site, order_id)
    await site.shop.bus.handle(c.CancelOrder(order_id, "changed my mind", actor=c.SYSTEM))
    status, page = await site.get(path)
    assert status == 200 and 'data-status="cancelled"' in page and "This order was cancelled." in page
    assert "<form" not in page


async def test_the_pay_page_rows_add_up_with_discount_and_shipping(site: Site) -> None:
    order_id = await web_order(site, coupon="WELCOME10")
    status, page = await site.get(await pay_page(site, order_id))
    assert status == 200
    assert '<td>1 × Stride Running Shoes (red / 42)</td><td class="r">80.00 USD</td>' in page
    assert "Discount (WELCOME10)" in page  # the session URL is secret: the code may show here
    assert amounts(page, "discount") == Decimal("-8.00") and amounts(page, "shipping") == Decimal("5.00")
    assert 'id="tax"' not in page  # no tax in this shop: no empty row
    assert amounts(page, "total") == Decimal("80.00") - 8 + 5
    assert page.index('id="discount"') < page.index('id="shipping"') < page.index('id="total"')
    assert "Pay 77.00 USD" in page


async def test_the_pay_page_shows_tax_when_the_shop_charges_it(
    serve: Serve, database_url: str, clock: FakeClock
) -> None:
    settings = Settings(database_url=database_url, tax_rate_bp=825, _env_file=None)  # type: ignore[call-arg]
    taxed = await SmallShop(build_shop(settings, clock=clock)).build()
    try:
        site = await serve(taxed, [])
        order_id = await web_order(site, coupon="WELCOME10")
        _, page = await site.get(await pay_page(site, order_id))
        order = await site.shop.views.order(order_id)
        assert order is not None and order.tax > 0
        lines = Decimal("80.00")
        parts = lines + amounts(page, "discount") + amounts(page, "shipping") + amounts(page, "tax")
        assert parts == amounts(page, "total") == Decimal(order.total) / 100
    finally:
        await taxed.shop.close()


async def test_the_pay_page_counts_down_in_words_with_right_plurals_and_no_utc_clock(
    site: Site, clock: FakeClock
) -> None:
    path = await pay_page(site, await web_order(site))
    _, page = await site.get(path)
    assert "The payment link expires in 15 minutes." in page and "UTC" not in page
    clock.advance(minutes=3, seconds=30)
    assert "expires in 12 minutes." in (await site.get(path))[1]
    clock.advance(minutes=11)
    assert "expires in 1 minute." in (await site.get(path))[1]


async def test_the_pay_page_speaks_the_shoppers_language(site: Site, clock: FakeClock) -> None:
    order_id = await web_order(site, locale="zh", coupon="WELCOME10")
    path = await pay_page(site, order_id)
    clock.advance(minutes=3)
    status, page = await site.get(path, **{"Accept-Language": "en-US"})  # the chat's language wins
    assert status == 200 and '<html lang="zh-Hans">' in page
    assert "付款链接将在 12 分钟后过期。" in page and "支付 77.00 USD" in page and "优惠（WELCOME10）" in page
    assert "运费" in page and "订单 #1" in page
    _, page = await site.post(path, "declined")
    assert "银行卡被拒绝" in page and "换一张卡支付 77.00 USD" in page


async def test_item_names_are_escaped_on_every_page(site: Site) -> None:
    name = '<img src=x onerror="alert(1)"> & Co'
    await site.shop.bus.handle(c.UpsertProduct(name, (c.VariantSpec("EVIL-1", 1000, {}),), ("Home",), actor=c.SYSTEM))
    await site.shop.bus.handle(c.ReceiveStock("EVIL-1", "EAST", 5, actor=c.SYSTEM))
    customer = await site.small.customer()
    order_id = await site.small.checkout(customer, sku="EVIL-1")
    for path in (await pay_page(site, order_id), f"/orders/{order_id}/paid", f"/orders/{order_id}/cancelled"):
        _, page = await site.get(path)
        assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; Co" in page


# --- the pages Stripe Checkout sends the shopper back to -------------------------------------------------


async def test_success_url_says_confirming_and_refreshes_until_the_payment_is_booked(site: Site) -> None:
    order_id = await web_order(site)
    path = await pay_page(site, order_id)
    status, page = await site.get(f"/orders/{order_id}/paid")  # Stripe redirects before its webhook arrives
    assert status == 200 and 'data-status="pending_payment"' in page
    assert "We're confirming your payment…" in html.unescape(page) and "Payment received" not in page
    assert '<meta http-equiv="refresh" content="3">' in page

    await site.post(path, "paid")
    status, page = await site.get(f"/orders/{order_id}/paid")
    assert 'data-status="paid"' in page and "Payment received. Thank you!" in page
    assert "http-equiv" not in page and "Total" in page and "85.00 USD" in page


async def test_success_url_of_an_order_that_ended_unpaid_says_so(site: Site) -> None:
    order_id = await web_order(site)
    await site.post(await pay_page(site, order_id), "expired")
    _, page = await site.get(f"/orders/{order_id}/paid")
    assert 'data-status="cancelled"' in page and "This order was cancelled." in page
    assert "Payment received" not in page and "http-equiv" not in page


async def test_cancel_url_says_nothing_was_charged_and_the_order_waits(site: Site, clock: FakeClock) -> None:
    order_id = await web_order(site)
    path = await pay_page(site, order_id)
    clock.advance(minutes=5)
    status, page = await site.get(f"/orders/{order_id}/cancelled")
    assert status == 200 and 'data-status="pending_payment"' in page
    assert "You left the payment page. Nothing was charged." in page
    assert "you can pay from the chat" in page and "expires in 10 minutes." in page
    await site.post(path, "paid")  # paid after all (another tab): the page tells the truth
    _, page = await site.get(f"/orders/{order_id}/cancelled")
    assert 'data-status="paid"' in page and "Payment received" in page and "You left" not in page


async def test_return_pages_show_no_personal_data(site: Site) -> None:
    customer = int(await site.shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "web-9", "Zelda Quint")))
    await site.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 1, actor=Actor.shopper(customer)))
    await site.shop.bus.handle(c.ApplyCoupon(customer, "WELCOME10", actor=Actor.shopper(customer)))
    address = ADDRESS | {"name": "Zelda Quint", "line1": "77 Secret Lane", "city": "Hiddenville"}
    order_id = int(
        await site.shop.bus.handle(
            c.PlaceOrder(customer, address, "standard", "webchat", actor=Actor.shopper(customer))
        )
    )
    for path in (f"/orders/{order_id}/paid", f"/orders/{order_id}/cancelled"):
        status, page = await site.get(path)
        assert status == 200 and "Stride Running Shoes" in page and "Discount" in page
        for personal in ("Zelda", "Quint", "Secret Lane", "Hiddenville", "12345", "WELCOME10"):
            assert personal not in page, personal


@pytest.mark.parametrize(
    "path",
    ["/orders/abc/paid", "/orders/-1/paid", "/orders/1.5/paid", "/orders/99999999999999999999/cancelled",
     "/orders/0x10/paid", "/orders/%00/paid", "/orders/12345/paid", "/orders/12345/cancelled"],
)  # fmt: skip
async def test_return_pages_answer_junk_or_unknown_ids_with_404(site: Site, path: str) -> None:
    await web_order(site)
    status, _ = await site.get(path)
    assert status == 404


async def test_return_pages_speak_the_customers_language_else_the_browsers(site: Site) -> None:
    order_id = await web_order(site, locale="zh")
    _, page = await site.get(f"/orders/{order_id}/paid", **{"Accept-Language": "en"})
    assert "正在确认您的付款…" in page and "订单 #1" in page
    status, page = await site.get("/orders/999/paid", **{"Accept-Language": "fr;q=0.9, zh-CN;q=0.8, en;q=0.1"})
    assert status == 404 and "没有这个订单。" in page
    _, page = await site.get("/orders/999/paid", **{"Accept-Language": "zh;q=0, en"})
    assert "No such order." in page


async def test_a_web_chat_order_leads_back_to_the_web_chat(
    serve: Serve, small: SmallShop, nlu_engine: NluEngine
) -> None:
    engine = make_engine(small.shop, nlu_engine)

    def mount(app: web.Application, shop: Shop) -> None:
        webchat.mount(app, shop, engine=engine)
        subscribe_webchat(app, shop)

    site = await serve(small, [mount])
    order_id = await web_order(site)
    for path in (await pay_page(site, order_id), f"/orders/{order_id}/paid", f"/orders/{order_id}/cancelled"):
        _, page = await site.get(path)
        assert '<a class="back" id="back" href="/chat">Back to the chat</a>' in page
    status, chat = await site.get("/chat")
    assert status == 200 and "<html" in chat


async def test_a_telegram_order_leads_back_to_the_telegram_chat(
    serve: Serve, small: SmallShop, nlu_engine: NluEngine
) -> None:
    async with FakeTelegram() as fake:
        telegram = make_telegram(small.shop, fake, nlu_engine)

        def mount(app: web.Application, shop: Shop) -> None:
            mount_telegram(app, shop, telegram)
            subscribe_telegram(shop, telegram)

        site = await serve(small, [mount])
        customer = int(await small.shop.bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, "5001", "Ann", locale="zh")))
        await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 2, actor=Actor.shopper(customer)))
        order_id = int(
            await small.shop.bus.handle(
                c.PlaceOrder(customer, ADDRESS, "standard", "telegram", actor=Actor.shopper(customer))
            )
        )
        link = f'href="https://t.me/{BOT_USERNAME}">返回 Telegram 聊天</a>'
        for path in (await pay_page(site, order_id), f"/orders/{order_id}/paid", f"/orders/{order_id}/cancelled"):
            _, page = await site.get(path)
            assert link in page, path
        assert len(fake.sent("getMe")) == 1  # asked once, then aiogram remembers


async def test_when_telegram_cannot_say_the_bots_name_the_page_still_shows_without_the_link(
    serve: Serve, small: SmallShop, nlu_engine: NluEngine
) -> None:
    async with FakeTelegram() as fake:
        telegram = make_telegram(small.shop, fake, nlu_engine)

        def mount(app: web.Application, shop: Shop) -> None:
            mount_telegram(app, shop, telegram)
            subscribe_telegram(shop, telegram)

        site = await serve(small, [mount])
        customer = int(await small.shop.bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, "5001", "Ann")))
        await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
        order_id = int(
            await small.shop.bus.handle(
                c.PlaceOrder(customer, ADDRESS, "standard", "telegram", actor=Actor.shopper(customer))
            )
        )
        fake.fail_next = [502]
        status, page = await site.get(f"/orders/{order_id}/paid")
        assert status == 200 and "You can close this page." in page and "t.me" not in page
        status, page = await site.get(f"/orders/{order_id}/paid")  # Telegram is back: so is the link
        assert f'href="https://t.me/{BOT_USERNAME}">Back to the chat in Telegram</a>' in page
