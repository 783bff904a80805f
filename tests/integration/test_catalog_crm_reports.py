"""Catalog search, CRM (identities, consent, export, erasure) and report views on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from domain import commands as c
from domain.adapters import orm
from domain.errors import NotFound, PermissionDenied
from domain.events import LowStock
from domain.model.catalog import SearchQuery
from domain.model.customers import Channel
from domain.model.staff import Actor
from tests.support.shopdata import ADDRESS, SmallShop


async def test_search_matches_name_brand_category_attribute_and_price(small: SmallShop) -> None:
    views = small.shop.views

    async def names(**kw: object) -> list[str]:
        return [p.name for p in (await views.search(SearchQuery(**kw))).items]  # type: ignore[arg-type]

    assert await names(text="running shoes") == ["Stride Running Shoes"]
    assert await names(text="HEARTH") == ["Hearth Ceramic Mug"]
    assert await names(text="mugs") == ["Hearth Ceramic Mug"]  # category name
    assert await names(text="mesh") == ["Stride Running Shoes"]  # attribute value
    assert await names(category_slug="home") == ["Hearth Ceramic Mug"]  # includes sub-categories
    assert await names(max_price=5000) == ["Hearth Ceramic Mug"]
    assert await names(attributes=(("color", "blue"),)) == ["Stride Running Shoes"]
    assert await names(brand="stride", min_price=7000) == ["Stride Running Shoes"]
    assert await names(text="100%_off") == []  # LIKE wildcards in input are literal
    page = await views.search(SearchQuery(limit=1))
    assert page.total == 2 and page.has_more


async def test_archived_products_disappear_from_search_and_cannot_be_added(small: SmallShop) -> None:
    await small.shop.bus.handle(c.ArchiveProduct("hearth-ceramic-mug", actor=c.SYSTEM))
    assert (await small.shop.views.search(SearchQuery(text="mug"))).total == 0
    with pytest.raises(NotFound, match="no longer sold"):
        await small.shop.bus.handle(c.AddToCart(await small.customer(), "MUG-WHT", 1, actor=c.SYSTEM))


async def test_low_stock_alert_fires_once_when_availability_crosses_the_threshold(small: SmallShop) -> None:
    alerts: list[LowStock] = []

    async def collect(event_id: str, event: object) -> None:
        assert isinstance(event, LowStock)
        alerts.append(event)

    small.shop.outbox.subscribe("alerts", collect, {"LowStock"})
    await small.shop.bus.handle(c.AdjustStock("SHOE-RED-42", "WEST", -2, "cycle count", actor=c.SYSTEM))  # 8 -> 6
    await small.shop.bus.handle(
        c.AdjustStock("SHOE-RED-42", "WEST", -2, "cycle count", actor=c.SYSTEM)
    )  # 6 -> 4: crosses 5
    await small.shop.bus.handle(
        c.AdjustStock("SHOE-RED-42", "WEST", -1, "cycle count", actor=c.SYSTEM)
    )  # 4 -> 3: already low
    await small.shop.outbox.drain()
    assert [(a.sku, a.available) for a in alerts] == [("SHOE-RED-42", 4)]


async def test_linking_a_second_channel_merges_customers_and_their_carts(small: SmallShop) -> None:
    bus = small.shop.bus
    web = await small.customer("browser-1", "Ann")
    tg = int(await bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, "777", "Ann T")))
    await bus.handle(c.AddToCart(web, "MUG-WHT", 2, actor=Actor.shopper(web)))
    await bus.handle(c.AddToCart(tg, "MUG-WHT", 1, actor=Actor.shopper(tg)))
    await bus.handle(c.AddToCart(tg, "SHOE-RED-42", 1, actor=Actor.shopper(tg)))
    await bus.handle(c.LinkIdentity(web, Channel.TELEGRAM, "777", actor=Actor.shopper(web)))
    assert await bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, "777")) == web
    cart = await small.shop.views.cart(web)
    assert sorted((line.sku, line.quantity) for line in cart.lines) == [("MUG-WHT", 3), ("SHOE-RED-42", 1)]
    profile = await small.shop.views.customer(web)
    assert profile is not None and {ch for ch, _ in profile.identities} == {"webchat", "telegram"}


async def test_consent_ledger_keeps_every_decision(small: SmallShop, clock) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.SetMarketingConsent(customer, True, "web chat opt-in", actor=Actor.shopper(customer)))
    clock.advance(days=3)
    await small.shop.bus.handle(c.SetMarketingConsent(customer, False, "/stop", actor=Actor.shopper(customer)))
    export = await small.shop.views.customer_export(customer)
    assert [(e["granted"], e["source"]) for e in export["consent"]] == [(True, "web chat opt-in"), (False, "/stop")]
    assert export["customer"]["marketing_opt_in"] is False


async def test_a_shopper_cannot_change_someone_elses_consent(small: SmallShop) -> None:
    a, b = await small.customer("a"), await small.customer("b")
    with pytest.raises(PermissionDenied):
        await small.shop.bus.handle(c.SetMarketingConsent(b, True, "forged", actor=Actor.shopper(a)))


async def test_export_holds_everything_and_erasure_removes_personal_data(small: SmallShop) -> None:
    customer = await small.customer("browser-9", "Ann Shopper")
    await small.shop.bus.handle(c.UpdateCustomer(customer, email="ann@example.com", actor=Actor.shopper(customer)))
    order_id = await small.checkout(customer)
    export = await small.shop.views.customer_export(customer)
    assert export["customer"]["email"] == "ann@example.com"
    assert export["identities"] == [{"channel": "webchat", "id": "browser-9"}]
    assert [o["id"] for o in export["orders"]] == [order_id]
    assert export["orders"][0]["shipping_address"]["line1"] == ADDRESS["line1"]
    await small.shop.bus.handle(c.AnonymiseCustomer(customer, actor=Actor.shopper(customer)))
    after = await small.shop.views.customer_export(customer)
    assert after["customer"]["email"] is None and after["customer"]["name"] == "(deleted)"
    assert after["identities"] == []
    assert after["orders"][0]["shipping_address"] == {"country": "US"}
    assert after["orders"][0]["total"] == 8500  # the books still balance
    # The same browser coming back is a new, unknown customer.
    assert await small.customer("browser-9") != customer


async def test_reports_sales_top_products_funnel_and_breakdowns(small: SmallShop, clock) -> None:
    bus = small.shop.bus
    paid = []
    for i, qty in enumerate((1, 2, 1)):
        customer = await small.customer(f"r-{i}")
        await bus.handle(c.RecordAnalytics("message_received", customer_id=customer, channel="webchat"))
        order_id = await small.checkout(customer, quantity=qty)
        link = await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
        order = await small.shop.views.order(order_id)
        assert order is not None
        await bus.handle(c.ConfirmPayment("sandbox", link.url.rsplit("/", 1)[1], order.total, "USD"))
        paid.append(order.total)
        clock.advance(days=1)
    today = clock.now().date()
    sales = await small.shop.views.sales(today - timedelta(days=6), today)
    assert (sales.orders, sales.gross) == (3, sum(paid))
    assert [d.orders for d in sales.days] == [1, 1, 1]
    assert sales.average_order_value == sum(paid) // 3
    top = await small.shop.views.top_products(today - timedelta(days=6), today)
    assert [(t.name, t.units) for t in top] == [("Stride Running Shoes", 4)]
    funnel = {s.name: s.customers for s in await small.shop.views.funnel(today - timedelta(days=6), today)}
    assert funnel["message_received"] == 3 and funnel["added_to_cart"] == 3 and funnel["order_paid"] == 3
    by_country = await small.shop.views.customers_by("country")
    assert [(b.key, b.customers) for b in by_country] == [("US", 3)]
    async with small.shop.sessions() as session:
        events = (await session.execute(select(orm.analytics_events.c.name))).scalars().all()
    assert events.count("order_paid") == 3
