"""A real browser (Debian's chromium, headless) buys shoes in the web chat and pays on the sandbox page."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser

from channels.webchat import server as webchat
from channels.webchat.settings import WebchatSettings
from chatshop.bootstrap import Shop, build_shop
from chatshop.runtime import Runtime
from chatshop.seed import MEDIA as DEMO_MEDIA
from chatshop.seed import seed_demo
from chatshop.settings import Settings
from chatshop.subscribers.channels import subscribe_webchat
from chatshop.web import create_app
from nlu.embedded import EmbeddedEngine
from tests.e2e.person import Person
from tests.integration.bots.conftest import NLU_CACHE, make_engine
from tests.support.services import chromium_path
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.slow
# The README's picture is refreshed only on request, so a test run never changes the checkout.
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-webchat.png"
UPDATE_SCREENSHOT = os.environ.get("CHATSHOP_UPDATE_SCREENSHOT") == "1"
GALLERY = README_SCREENSHOT.parent / "gallery"  # one picture per step of the phone purchase, for the README
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def served(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[tuple[str, Shop]]:
    """The real app on a loopback port, with the outbox loop running so payments reach the chat."""
    path = tmp_path / "shop.db"
    shutil.copy(sqlite_template, path)
    port = free_port()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", http_port=port, _env_file=None)  # type: ignore[call-arg]
    shop = build_shop(settings)
    await SmallShop(shop).build()
    engine = make_engine(shop, EmbeddedEngine.load(cache_dir=NLU_CACHE))

    def mount(app: web.Application, mounted: Shop) -> None:
        webchat.mount(app, mounted, engine=engine)
        subscribe_webchat(app, mounted)

    runner = web.AppRunner(create_app(shop, [mount], media_dir=tmp_path / "media"), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    runtime = Runtime(shop, outbox_idle_seconds=0.1)
    await runtime.start()
    try:
        yield f"http://127.0.0.1:{port}", shop
    finally:
        await runtime.stop()
        await runner.cleanup()
        await shop.close()


@pytest.fixture
async def demo(tmp_path: Path, sqlite_template: Path) -> AsyncIterator[tuple[str, Shop]]:
    """The demo shop a person meets after ``make run`` (218 products, shoes in 16 colour/size variants,
    real product pictures), served like ``served``."""
    path = tmp_path / "shop.db"
    shutil.copy(sqlite_template, path)
    port = free_port()
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", http_port=port, _env_file=None)  # type: ignore[call-arg]
    shop = build_shop(settings)
    await seed_demo(shop, customers=2, orders=2)  # a non-empty history, so no past order is #1
    engine = make_engine(shop, EmbeddedEngine.load(cache_dir=NLU_CACHE))
    # A test taps faster than people do; the limit itself has its own test.
    chat_settings = WebchatSettings(_env_file=None, rate_limit_messages=40)  # type: ignore[call-arg]

    def mount(app: web.Application, mounted: Shop) -> None:
        webchat.mount(app, mounted, engine=engine, settings=chat_settings)
        subscribe_webchat(app, mounted)

        async def host_page(request: web.Request) -> web.Response:
            base = f"http://127.0.0.1:{port}"
            return web.Response(text=HOST_PAGE.format(base=base), content_type="text/html")

        app.router.add_get("/our-shoes.html", host_page)

    runner = web.AppRunner(create_app(shop, [mount], media_dir=DEMO_MEDIA), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    runtime = Runtime(shop, outbox_idle_seconds=0.1)
    await runtime.start()
    try:
        yield f"http://127.0.0.1:{port}", shop
    finally:
        await runtime.stop()
        await runner.cleanup()
        await shop.close()


# A page of the shop's own site that embeds the chat (served from another origin than the chat's).
HOST_PAGE = """<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shoe shop</title></head><body style="font-family:sans-serif;margin:2rem"><h1>Our shoes</h1>
<p>Ask us anything in the chat.</p><script src="{base}/chat/widget.js" async></script></body></html>"""
LAYOUTS = {"phone": PHONE, "desktop": DESKTOP, "widget": DESKTOP}


async def open_chat(browser: Browser, base: str, layout: str, shots: Path, locale: str = "en-US") -> Person:
    phone = layout == "phone"
    context = await browser.new_context(
        viewport=LAYOUTS[layout], device_scale_factor=1, is_mobile=phone, has_touch=phone, locale=locale
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
    if layout != "widget":
        await page.goto(f"{base}/chat")
        return Person(page, shots, layout)
    # Another origin than the chat's (localhost vs 127.0.0.1), still on loopback: Chromium would not let a
    # public page load a script from a local address.
    await page.goto(base.replace("127.0.0.1", "localhost") + "/our-shoes.html")
    person = Person(page, shots, layout)
    await person.tap(page.get_by_role("button", name="Chat with the shop"), "the chat launcher")
    person.iframe = page.locator("iframe[title='Shop chat']")
    return person


@pytest.mark.parametrize("layout", list(LAYOUTS))
async def test_a_person_buys_shoes_with_taps_only_and_every_button_is_on_screen(
    demo: tuple[str, Shop], tmp_path: Path, layout: str
) -> None:
    """Search, open a product, choose colour and size, add to cart, check out, fill the address, pay on
    the sandbox page: each button checked to be wholly visible (window, iframe, log, card) and pressed
    where it is drawn; the log scrolled by the wheel; no message ever squashed or cut."""
    from playwright.async_api import async_playwright, expect

    base, shop = demo
    gallery = UPDATE_SCREENSHOT and layout == "phone"
    shots = GALLERY if gallery else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        person = await open_chat(browser, base, layout, shots)
        page, log = person.page, person.log

        async def answered(text: str, step: str | None) -> None:
            try:
                await expect(log).to_contain_text(text, timeout=15_000)
            except AssertionError as missing:
                await person.shot(f"failed-waiting-for-{step}")
                raise AssertionError(f"{missing}\npage errors: {page.errors}") from missing  # type: ignore[attr-defined]
            await expect(person.find(".typing")).to_have_count(0)
            await person.newest_in_view()
            await person.nothing_clipped()
            if step:
                await person.shot(step)

        await answered("Browse categories", "greeting")
        await person.type("running shoes")
        await answered("Stride Running Shoes", "search-results")
        results = person.find("[data-kind=product_list]").last
        await person.press(results, "Stride Running Shoes")
        await answered("Choose", "product-card")
        card = person.find("[data-kind=product_card]").last
        await expect(card).to_contain_text("79.99 USD")
        # Nothing is chosen for the shopper: colours to pick, no sizes yet, nothing to add.
        await expect(card.get_by_role("button", name="Add to cart")).to_have_count(0)
        await expect(card.locator("[data-kind=pickers] .picker")).to_have_count(1)
        await choose(person, answered, "navy", "42")
        card = person.find("[data-kind=product_card]").last
        await person.press(card, "Add to cart")
        await answered("Added 1 x Stride Running Shoes (navy / 42)", "added-to-cart")
        await person.press(person.find("#log > *").last, "View cart")
        await expect(person.find("[data-kind=cart]")).to_have_count(1)
        await answered("79.99 USD", "cart")
        await person.press(person.find("[data-kind=cart]").last, "Check out")
        for answer, next_prompt in [("Ann Shopper", "Street"), ("1 Main Street", "City"), ("Springfield", "Country"),
                                    ("US", "Postal code"), ("12345", "How should we ship")]:  # fmt: skip
            await person.type(answer)
            await answered(next_prompt, "address" if answer == "Ann Shopper" else None)
        await person.press(person.find("#log > *").last, "Standard")
        await answered("Please check your order", "order-summary")
        await person.press(person.find("#log > *").last, "Place order and pay 79.99 USD")
        await answered("is reserved for you", "payment-link")
        pay_link = person.find("[data-kind=payment_link] a").last
        await expect(pay_link).to_contain_text("Pay 79.99 USD")
        async with page.context.expect_page() as popup_info:
            await person.tap(pay_link, "the payment link")
        sandbox = Person(await popup_info.value, shots, layout)
        await sandbox.page.wait_for_load_state()
        await sandbox.tap(sandbox.page.locator("#pay"), "Pay on the sandbox page")
        await expect(sandbox.page.locator("#state")).to_have_attribute("data-status", "paid")
        await sandbox.page.close()
        await answered("Payment received for order #3", "paid")
        order = await shop.views.order(3)
        assert order is not None and order.status == "paid"
        if layout == "widget":  # the chat's own × closes it, the launcher opens it again as it was
            await person.tap(person.find("#close"), "the chat's close control")
            await expect(person.iframe).to_be_hidden()  # type: ignore[arg-type]
            host = Person(page, shots, layout)  # the launcher is on the host page, outside the iframe
            await host.tap(page.get_by_role("button", name="Chat with the shop"), "the chat launcher")
            await expect(log).to_contain_text("Payment received for order #3")
        if layout == "phone":
            await page.reload()  # the conversation survives a reload
            await expect(log).to_contain_text("Payment received for order #3")
            await person.nothing_clipped()
            final = README_SCREENSHOT if UPDATE_SCREENSHOT else tmp_path / "webchat.png"
            await page.screenshot(path=str(final))
            assert final.stat().st_size > 10_000
        await browser.close()


async def choose(
    person: Person,
    answered: Callable[[str, str | None], Awaitable[None]],
    colour: str,
    size: str,
    words: dict[str, str] | None = None,
) -> None:
    """Pick a variant as a person would: the colour on the card's colour picker, then the size on the same
    card, redrawn where it is (its size picker offers the sizes of that colour, sold-out ones marked): one
    card, never a new one per pick, and nothing said in the shopper's name."""
    from playwright.async_api import expect

    words = words or ENGLISH
    cards, said = person.find("[data-kind=product_card]"), person.find(".msg.user")
    before, bubbles = await cards.count(), await said.count()
    colours = cards.last.locator("[data-kind=pickers] .picker").first
    await person.press(colours, colour)
    await answered(words["choose_size"], "colour-chosen")
    await expect(cards).to_have_count(before)
    sizes = cards.last.locator("[data-kind=pickers] .picker").nth(1)
    await expect(sizes.get_by_role("button", name=colour)).to_have_count(0)
    for sold_out in await sizes.locator("button.sold-out").all():  # marked, and still pressable to be told
        assert words["sold_out"] in (await sold_out.get_attribute("aria-label") or "")
    await person.press(sizes, size)
    await answered(words["your_choice"].format(colour=colour, size=size), "options-chosen")
    await expect(cards).to_have_count(before)
    await expect(said).to_have_count(bubbles)
    await expect(cards.last.get_by_role("button", name=words["add"])).to_have_count(1)


ENGLISH = {
    "choose_size": "Choose the size",
    "sold_out": "sold out",
    "your_choice": "Your choice: {colour} / {size}",
    "add": "Add to cart",
}


async def test_a_campaign_message_shows_its_formatting_and_nothing_typed_becomes_markup(
    served: tuple[str, Shop],
) -> None:
    from playwright.async_api import async_playwright, expect

    from channels.webchat.hub import chat_id_for
    from domain import commands as c
    from domain.model.staff import Actor, Role

    base, shop = served
    marketer = Actor.staff("mia", Role.OPERATOR)
    text = "Our **winter sale** is _on_: [see it](https://shop.test/sale)\n<img src=x onerror=alert(1)>"
    contents = {"en": {"text": text, "coupon": "WELCOME10", "skus": ["SHOE-RED-42"]}}
    everyone = {"field": "consent", "op": "is", "value": True}
    await shop.bus.handle(c.CreateCampaign("winter", contents, ("webchat",), everyone, actor=marketer))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        page = await (await browser.new_context(viewport=PHONE)).new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: dialogs.append(d.message))
        await page.goto(f"{base}/chat")
        await expect(page.locator("#log")).to_contain_text("Browse categories")
        session = await page.evaluate("localStorage.getItem('chatshop.session')")
        # The marketer's test send reaches the open chat through the outbox, like any campaign message.
        await shop.bus.handle(c.SendCampaignTest("winter", "webchat", chat_id_for(session), actor=marketer))
        promo = page.locator("[data-kind=promotion]").last
        await expect(promo).to_contain_text("[Test] Our winter sale is on")
        await expect(promo.locator("strong")).to_have_text("winter sale")
        await expect(promo.locator("em")).to_have_text("on")
        link = promo.locator("a[href='https://shop.test/sale']")
        await expect(link).to_have_text("see it")
        await expect(link).to_have_attribute("rel", "noopener")
        await expect(promo).to_contain_text("<img src=x onerror=alert(1)>")  # shown as text
        assert await promo.locator("img").count() == 0 and dialogs == []
        await expect(promo.locator(".promo-code")).to_have_text("Your code: WELCOME10")
        card = page.locator("[data-kind=promotion_products] .card").last
        await expect(card).to_contain_text("Stride Running Shoes (red / 42)")
        await expect(card).to_contain_text("80.00 USD")
        await expect(page.get_by_role("button", name="Unsubscribe").last).to_be_visible()
        await card.get_by_role("button").click()  # opens the product, and counts as the campaign's click
        await expect(page.locator("[data-kind=product_card]").last).to_contain_text("Stride Running Shoes")
        await browser.close()


async def test_a_long_paste_is_refused_visibly_and_a_support_agent_looks_like_a_person(
    served: tuple[str, Shop], tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    from domain import commands as c
    from domain.model.staff import Actor

    base, shop = served
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        person = await open_chat(browser, base, "phone", tmp_path)
        await expect(person.log).to_contain_text("Browse categories")
        await person.tap(person.find("#input"), "the message box")
        await person.page.keyboard.insert_text("x" * 2001)  # a paste: not cut to fit, not sent
        await person.tap(person.find("#send"), "Send")
        await expect(person.find("#note")).to_be_visible()
        await expect(person.find("#note")).to_contain_text("2001 characters; the limit is 2000")
        assert await person.find("#input").input_value() == "x" * 2001
        await expect(person.find(".msg.user")).to_have_count(0)
        await person.tap(person.find("#input"), "the message box")
        await person.page.keyboard.press("Control+A")
        await person.page.keyboard.insert_text("talk to a human")
        await expect(person.find("#note")).to_be_hidden()
        await person.tap(person.find("#send"), "Send")
        handoff = person.find("[data-kind=handoff]").last
        await expect(handoff).to_be_visible()
        ticket = (await shop.views.open_tickets())[0]["id"]
        said = "Hi, Olga here. <b>How</b> can I help?"  # staff text is text too
        await shop.bus.handle(c.PostTicketMessage(ticket, said, actor=Actor.system("olga")))
        agent = person.find("[data-kind=agent]").last
        await expect(agent).to_contain_text(said, timeout=15_000)
        await expect(agent.locator(".avatar")).to_have_text("O")
        await expect(agent.locator(".name")).to_have_text("olga")
        assert await agent.locator("b").count() == 0
        await person.nothing_clipped()
        await person.shot("support-agent")
        await browser.close()


async def test_a_sold_out_size_is_marked_and_choosing_it_offers_notify_me_and_the_card_adds_only_what_was_chosen(
    served: tuple[str, Shop], tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    from domain import commands as c

    base, shop = served
    shoes = (("SHOE-RED-42", "42"), ("SHOE-RED-44", "44"), ("SHOE-BLU-42", "42"))
    variants = tuple(c.VariantSpec(sku, 8000, {"color": sku.split("-")[1].lower(), "size": s}) for sku, s in shoes)
    await shop.bus.handle(c.UpsertProduct("Stride Running Shoes", variants, ("Shoes",), brand="Stride", actor=c.SYSTEM))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        person = await open_chat(browser, base, "phone", tmp_path)
        await expect(person.log).to_contain_text("Browse categories")
        await person.type("Stride Running Shoes")
        card = person.find("[data-kind=product_card]").last
        await expect(card).to_contain_text("Choose the colour")
        await expect(card.get_by_role("button", name="Add to cart")).to_have_count(0)
        await person.press(card.locator(".picker").first, "red")
        await expect(card).to_contain_text("Choose the size")
        await expect(person.find("[data-kind=product_card]")).to_have_count(1)  # the card, redrawn
        sizes = card.locator(".picker").nth(1)
        sold_out = sizes.get_by_role("button", name="44 (sold out)")
        await expect(sold_out).to_have_class("sold-out")
        await person.reveal(sold_out, "the sold-out size")
        await person.shot("sold-out-size")
        # A person sees it can't be had, and can still choose it to be told when it's back (as on Telegram).
        await person.press(sizes, "44 (sold out)")
        await expect(card).to_contain_text("Out of stock")
        await person.press(card, "Notify me when it's back")
        await expect(person.log).to_contain_text("we'll message you once when Stride Running Shoes (red / 44)")
        subscribed = person.find("#log > *").last
        await expect(subscribed).to_contain_text("Allow messages from us")
        await person.nothing_clipped()
        await person.shot("notify-me")
        await person.press(sizes, "42")
        await expect(card).to_contain_text("Your choice: red / 42")
        await expect(person.find("[data-kind=product_card]")).to_have_count(1)
        await person.press(card, "Add to cart")
        await expect(person.log).to_contain_text("Added 1 x Stride Running Shoes (red / 42)")
        await person.nothing_clipped()
        await browser.close()


async def test_more_shows_the_next_page_where_the_list_was(served: tuple[str, Shop], tmp_path: Path) -> None:
    from playwright.async_api import async_playwright, expect

    from domain import commands as c

    base, shop = served
    for n in range(7):
        await shop.bus.handle(
            c.UpsertProduct(f"Trail Sock {n}", (c.VariantSpec(f"SOCK-{n}", 900),), ("Socks",), actor=c.SYSTEM)
        )
        await shop.bus.handle(c.ReceiveStock(f"SOCK-{n}", "WEST", 5, actor=c.SYSTEM))
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), headless=True, args=ARGS)
        person = await open_chat(browser, base, "phone", tmp_path)
        await expect(person.log).to_contain_text("Browse categories")
        await person.type("trail socks")
        lists = person.find("[data-kind=product_list]")
        await expect(lists).to_have_count(1)
        first_page = await lists.locator(".card h3").all_inner_texts()
        bubbles = await person.find(".msg.user").count()
        await person.press(person.find("#log > *").last, "More")
        await expect(person.log).to_contain_text("6-7 of 7")
        await expect(lists).to_have_count(1)  # the list shows its next page where it was
        second_page = await lists.locator(".card h3").all_inner_texts()
        assert second_page and not set(second_page) & set(first_page)
        await expect(person.find(".msg.user")).to_have_count(bubbles)
        await person.press(person.find("#log > *").last, "Previous")
        await expect(lists.locator(".card h3")).to_have_text(first_page)
        await person.nothing_clipped()
        await browser.close()
