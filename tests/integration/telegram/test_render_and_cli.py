"""The renderer on its own (no network), and the CLI's refusal to run without a token."""

from __future__ import annotations

import pytest
from aiogram.methods import SendMessage, SendPhoto
from typer.testing import CliRunner

from bots.conversation.messages import Button, CartLine, CartSummary, OrderStatus, PaymentLink, ProductCard, Text
from channels.telegram.callbacks import PayInvoice, action_of, is_engine_payload
from channels.telegram.render import Renderer
from tests.support.fake_telegram import _refuse_entities, _TelegramHtml


def visible(html: str) -> str:
    """The text Telegram would show, refusing what it would refuse (the fake Bot API's parser)."""
    assert _refuse_entities({"text": html, "parse_mode": "HTML"}, "text", 10**6, "too long") is None, html[-80:]
    parser = _TelegramHtml()
    parser.feed(html)
    return "".join(parser.visible)


def test_text_is_html_escaped_and_cut_to_telegrams_limit() -> None:
    method = Renderer().render(Text("<b>Tom & Jerry</b>" + "x" * 5000), 1)
    assert isinstance(method, SendMessage)
    assert method.text.startswith("&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;")
    assert len(visible(method.text)) == 4096 and method.text.endswith("x…")


@pytest.mark.parametrize("filler", ["a & b ", "<tag> ", "x"])
def test_a_long_caption_is_cut_by_what_telegram_counts_never_through_an_entity_or_a_tag(filler: str) -> None:
    description = filler * 700
    card = ProductCard(1, "Tom & Jerry Mug", "12.00 USD", "https://s.example/m.png", description, "In stock: 3", "",
                       (), ())  # fmt: skip
    photo = Renderer(base_url="https://s.example").render(card, 1)
    assert isinstance(photo, SendPhoto) and photo.caption is not None
    shown = visible(photo.caption)
    assert len(shown) <= 1024 and shown.startswith("Tom & Jerry Mug")


def test_cutting_html_keeps_entities_whole_and_closes_open_tags() -> None:
    from channels.telegram.render import _cut

    assert _cut("&amp;" * 10, 5) == "&amp;" * 4 + "…"
    assert _cut("<b>" + "x" * 10 + "</b> tail", 5) == "<b>xxxx…</b>"
    assert (
        _cut('<a href="https://s.example/?a=1&amp;b=2">link</a>', 100)
        == '<a href="https://s.example/?a=1&amp;b=2">link</a>'
    )
    assert visible(_cut("<i>" + "&lt;x&gt; " * 50 + "</i>", 20)) == "<x> <x> <x> <x> <x>…"


def test_a_card_without_a_public_picture_is_a_text_message_with_its_buttons() -> None:
    card = ProductCard(1, "Mug", "12.00 USD", "/media/m.png", "", "In stock: 3", "", (), (Button("Add", "1.add~abc"),))
    assert isinstance(Renderer(base_url="").render(card, 1), SendMessage)
    photo = Renderer(base_url="https://s.example").render(card, 1)
    assert isinstance(photo, SendPhoto) and photo.photo == "https://s.example/media/m.png"


def test_a_payment_link_is_a_url_button_with_the_expiry_and_optionally_an_invoice_button() -> None:
    link = PaymentLink(7, "Order #7 is reserved.", "https://pay.example/s/1", "Pay 10.00 USD", "2026-01-01T12:15:00",
                       "Expires in 15 minutes (12:15 UTC).")  # fmt: skip
    plain = Renderer().render(link, 1)
    assert isinstance(plain, SendMessage) and "Expires in 15 minutes" in plain.text
    assert plain.reply_markup is not None
    [[url_button]] = plain.reply_markup.inline_keyboard  # type: ignore[union-attr]
    assert url_button.url == "https://pay.example/s/1" and url_button.text == "Pay 10.00 USD"
    with_invoice = Renderer(invoices=True).render(link, 1, locale="zh")
    rows = with_invoice.reply_markup.inline_keyboard  # type: ignore[union-attr]
    assert rows[1][0].callback_data == PayInvoice(order_id=7).pack() and "Telegram" in rows[1][0].text


def test_a_cart_has_one_row_of_quantity_buttons_per_line() -> None:
    line = CartLine("Mug", 2, "12.00", "24.00", Button("+", "1.cq.1.3~a"), Button("-", "1.cq.1.1~a"),
                    Button("Remove", "1.cq.1.0~a"))  # fmt: skip
    cart = CartSummary("Your cart", (line,), (("Total", "24.00"),), "", (Button("Check out", "1.co~a"),))
    method = Renderer().render(cart, 1)
    rows = method.reply_markup.inline_keyboard  # type: ignore[union-attr]
    assert [b.text for b in rows[0]] == ["− Mug", "+", "✕"] and rows[1][0].text == "Check out"


def test_an_order_status_with_tracking_gets_a_track_button_first() -> None:
    status = OrderStatus(3, "Order #3", "shipped", "shipped", ("1 x Mug",), "Total: 12.00", "https://track.example/1")
    rows = Renderer().render(status, 1, locale="en").reply_markup.inline_keyboard  # type: ignore[union-attr]
    assert rows[0][0].url == "https://track.example/1" and rows[0][0].text == "Track the parcel"


def test_engine_payloads_are_recognised_by_shape_only() -> None:
    assert is_engine_payload("1.add.3.4.1~ta5UlgPC") and action_of("1.add.3.4.1~ta5UlgPC") == "add"
    assert not is_engine_payload("tgi:7") and not is_engine_payload("x" * 65) and not is_engine_payload(None)


def test_the_cli_refuses_to_start_without_a_bot_token(monkeypatch: pytest.MonkeyPatch) -> None:
    from chatshop.cli_telegram import telegram_app
    from chatshop.settings import get_settings

    monkeypatch.delenv("CHATSHOP_TELEGRAM_TOKEN", raising=False)
    monkeypatch.chdir("/")  # no .env with a token
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(telegram_app, ["poll"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and "CHATSHOP_TELEGRAM_TOKEN" in result.output


def test_a_promotion_keeps_its_formatting_as_telegram_html_and_escapes_the_rest() -> None:
    from bots.conversation.formatting import parse
    from bots.conversation.messages import Promotion

    promo = Promotion(parse("**New** mugs & <cups> [here](https://shop.test)"), None, "Your code: A&B", ())
    method = Renderer().render(promo, 1)
    assert isinstance(method, SendMessage)
    assert method.text == '<b>New</b> mugs &amp; &lt;cups&gt; <a href="https://shop.test">here</a>\nYour code: A&amp;B'
