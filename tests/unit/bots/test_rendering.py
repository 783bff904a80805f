"""Every Reply kind has a readable plain-text fallback and a JSON form naming its kind."""

from __future__ import annotations

import json

import pytest

from bots.conversation.formatting import Span
from bots.conversation.messages import (
    REPLY_KINDS,
    Button,
    CartLine,
    CartSummary,
    FormPrompt,
    HandoffNotice,
    OptionPicker,
    OptionValue,
    OrderStatus,
    PaymentLink,
    ProductCard,
    ProductList,
    ProductListItem,
    Promotion,
    QuickReplies,
    Reply,
    Text,
    VariantChoice,
)

B = Button("Add to cart", "1.add.1.2.1~abc")
EXAMPLES: list[Reply] = [
    Text("hello <b>"),
    QuickReplies("Pick one", (Button("Shoes", "1.cat.1~x"), Button("Pay", url="https://pay.example/1"))),
    ProductCard(1, "Stride", "80.00 USD", "/media/a.png", "Light", "In stock: 8", "Choose:",
                (VariantChoice("red / 42", "80.00 USD", 8, True, "p1"), VariantChoice("blue / 42", "80.00 USD", 0,
                                                                                      False, "p2")), (B,)),
    ProductList("Did you mean",
                (ProductListItem(1, "Stride", "80.00 USD", None, "In stock: 8", Button("Stride", "p")),),
                "1-1 of 3", None, Button("More", "m")),
    CartSummary("Your cart (2 items)", (CartLine("Mug", 2, "12.00 USD", "24.00 USD", Button("+", "i"),
                                                 Button("-", "d"), Button("Remove", "r"), "only 1 left"),),
                (("Subtotal", "24.00 USD"),), "", (Button("Check out", "co"),)),
    FormPrompt("checkout", "city", "City?", 3, 5, "Please give the city.", "Springfield"),
    PaymentLink(3, "Order #3 is reserved.", "http://x/sandbox/pay/s", "Pay 85.00 USD", "2026-11-02T12:15:00+00:00",
                "Expires in 15 minutes"),
    OrderStatus(3, "Order #3", "paid", "paid", ("1 x Mug",), "Total: 12.00 USD", "https://track/1", (B,)),
    HandoffNotice("A person will answer.", 4, True, (Button("Back to the bot", "h"),)),
    Promotion((Span("New "), Span("mugs", bold=True), Span(" here", href="https://shop.test")), None,
              "Your code: MUG5", (Button("View MUG-WHT", "mc"), Button("Unsubscribe", "mu"))),
]  # fmt: skip


def test_every_reply_kind_has_an_example() -> None:
    assert {type(r) for r in EXAMPLES} == set(REPLY_KINDS.values())


@pytest.mark.parametrize("reply", EXAMPLES, ids=lambda r: r.kind)
def test_reply_has_a_text_fallback_listing_its_buttons(reply: Reply) -> None:
    text = reply.as_text()
    assert text.strip()
    for button in reply.all_buttons():
        if button in (B,) or button.url:
            assert button.label in text


@pytest.mark.parametrize("reply", EXAMPLES, ids=lambda r: r.kind)
def test_reply_json_names_its_kind_and_carries_the_fallback(reply: Reply) -> None:
    data = json.loads(json.dumps(reply.to_dict()))
    assert data["kind"] == reply.kind and data["text_fallback"] == reply.as_text()


def test_product_card_offers_the_other_variants_as_buttons() -> None:
    card = EXAMPLES[2]
    assert [b.label for b in card.all_buttons()] == ["blue / 42", "Add to cart"]
    assert "(*) red / 42" in card.as_text()


def test_cart_buttons_come_per_line_then_for_the_cart() -> None:
    assert [b.label for b in EXAMPLES[4].all_buttons()] == ["+", "-", "Remove", "Check out"]
    assert "2 x Mug - 24.00 USD (only 1 left)" in EXAMPLES[4].as_text()


def test_payment_link_fallback_shows_the_url_and_expiry() -> None:
    text = EXAMPLES[6].as_text()
    assert "http://x/sandbox/pay/s" in text and "Expires in 15 minutes" in text


def test_a_promotion_reads_as_plain_text_with_its_link_its_code_and_buttons() -> None:
    assert EXAMPLES[-1].as_text() == (
        "New mugs here (https://shop.test)\nYour code: MUG5\n[View MUG-WHT]\n[Unsubscribe]"
    )
    data = EXAMPLES[-1].to_dict()
    assert data["spans"][1] == {"text": "mugs", "bold": True, "italic": False, "href": None}


PICKERS = ProductCard(
    1, "Stride", "80.00 USD", None, "", "", "Choose the size:", (), (Button("My cart", "1.cart~c"),),
    (OptionPicker("color", "Colour", (OptionValue("navy", True, True, "1.po.1.5.1~a"),
                                      OptionValue("red", False, True, "1.po.1.2.1~b"))),
     OptionPicker("size", "Size", (OptionValue("42", False, True, "1.po.1.5.3~c"),
                                   OptionValue("44", False, False, "1.po.1.7.3~d")))),
)  # fmt: skip


def test_option_pickers_read_as_text_and_offer_only_what_can_be_chosen() -> None:
    assert "Colour: [navy], red" in PICKERS.as_text() and "Size: 42, 44 (-)" in PICKERS.as_text()
    assert [b.label for b in PICKERS.all_buttons()] == ["red", "42", "My cart"]  # not the chosen, not sold out
    data = json.loads(json.dumps(PICKERS.to_dict()))
    assert data["pickers"][1]["values"][1] == {"label": "44", "selected": False, "available": False,
                                               "payload": "1.po.1.7.3~d"}  # fmt: skip


def test_telegram_shows_pickers_as_keyboard_rows_with_sold_out_marked() -> None:
    from channels.telegram.render import Renderer

    _body, markup = Renderer()._text_and_markup(PICKERS)
    assert markup is not None
    rows = [[b.text for b in row] for row in markup.inline_keyboard]
    assert rows == [["✓ navy", "red"], ["42", "44 ✕"], ["My cart"]]
