"""Pattern rules for prices, quantities, order ids, coupon codes and sizes, independent of any model."""

from __future__ import annotations

import pytest

from nlu.embedded.rules import coupon_spans, order_spans, price_spans, quantity_spans, size_spans


def values(spans) -> list[str]:
    return [s.value for s in spans]


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("red running shoes under 80", "80"),
        ("headphones under eighty", "80"),
        ("anything below $79.99", "79.99"),
        ("jackets less than 150 dollars", "150"),
        ("budget of 120", "120"),
        ("no more than fifty bucks", "50"),
        ("八十块以内的跑鞋", "80"),
        ("不超过一百二", "120"),
        ("100元以下的耳机", "100"),
        ("预算79.99", "79.99"),
    ],
)
def test_a_price_ceiling_is_a_decimal_string(text: str, price: str) -> None:
    assert values(price_spans(text, "search_product")) == [price]


def test_a_price_outside_shopping_is_not_a_ceiling() -> None:
    assert price_spans("is shipping free over 50", "shipping_info") == []
    assert price_spans("满50包邮吗", "shipping_info") == []


@pytest.mark.parametrize(
    ("text", "intent", "order_id"),
    [
        ("where is my order #1042", "order_status", "1042"),
        ("订单[#]2210到哪了".replace("[#]", "#"), "order_status", "2210"),
        ("cancel order number 3381", "cancel_order", "3381"),
        ("9001 物流信息", "order_status", "9001"),
        ("#5012", "greet", "5012"),  # a hash and digits are an order id whatever the intent
    ],
)
def test_order_ids_are_digits_without_the_hash(text: str, intent: str, order_id: str) -> None:
    assert values(order_spans(text, intent)) == [order_id]


def test_a_bare_number_is_only_an_order_id_when_talking_about_orders() -> None:
    assert order_spans("shoes under 1000", "search_product") == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("apply coupon welcome10", "WELCOME10"),
        ("use code FREESHIP please", "FREESHIP"),
        ("优惠码FreeShip用不了", "FREESHIP"),
        ("is SUMMER20 still valid", "SUMMER20"),
    ],
)
def test_coupon_codes_are_upper_cased(text: str, code: str) -> None:
    assert code in values(coupon_spans(text, "apply_coupon", frozenset({"FREESHIP"})))


def test_english_words_after_code_are_not_codes() -> None:
    assert coupon_spans("my promo code isn't working", "apply_coupon", frozenset()) == []
    assert coupon_spans("apply my student discount", "apply_coupon", frozenset()) == []


@pytest.mark.parametrize(
    ("text", "intent", "quantity"),
    [
        ("add two mugs", "add_to_cart", ["2"]),
        ("add 3 pairs of socks", "add_to_cart", ["3"]),
        ("add x2 of the mug", "add_to_cart", ["2"]),
        ("i'll take a couple of mugs", "add_to_cart", ["2"]),
        ("加两双袜子", "add_to_cart", ["2"]),
        ("来一件卫衣", "add_to_cart", ["1"]),
        ("find a blue rain jacket", "search_product", []),  # an article, not a count
        ("想要一个米色的包", "search_product", []),
        ("add the red one", "add_to_cart", []),
        ("i ordered 2 days ago", "return_request", []),
    ],
)
def test_quantities_are_counts_of_items_only(text: str, intent: str, quantity: list[str]) -> None:
    assert values(quantity_spans(text, intent)) == quantity


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("hoodie in XL", ["XL"]),
        ("size 42 please", ["42"]),
        ("a large red hoodie", ["L"]),
        ("jeans in size m", ["M"]),
        ("S码能换M码吗", ["S", "M"]),
        ("有43码的吗", ["43"]),
        ("the jeans are too small", []),
        ("I'm looking for shoes", []),
        ("what sizes does the hoodie come in", []),  # "sizes" is no "size S"
        ("size42", ["42"]),
    ],
)
def test_sizes_are_catalog_sizes(text: str, size: list[str]) -> None:
    assert sorted(values(size_spans(text, "search_product"))) == sorted(size)
