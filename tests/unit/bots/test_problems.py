"""Domain errors a shopper sees are read in their language: the English the domain really says (made here by
the domain's own rules, so a reworded message fails) comes out Chinese, placeholders filled."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from bots.i18n import Translator
from bots.shopper.problems import country_name, explain
from domain.errors import CouponNotApplicable, DomainError, OutOfStock
from domain.model.cart import MAX_LINE_QUANTITY, Cart
from domain.model.coupons import Coupon, CouponKind, EligibleLine
from domain.model.shipping import Address, valid_country

NOW = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
GOOD = {"name": "Ann Shopper", "line1": "1 Main Street", "city": "Springfield", "country": "US", "postal_code": "12345"}
ZH = Translator("zh")


def raised(action: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as info:
        action()
    return info.value


def refused(coupon: Coupon, amount: int = 5000, uses: int = 0, customer_id: int | None = None) -> DomainError:
    lines = [EligibleLine(1, frozenset({1}), amount)]
    return raised(lambda: coupon.evaluate(lines, "USD", uses, NOW, customer_id=customer_id))


DOMAIN_SAYS: list[tuple[Callable[[], DomainError], str]] = [
    (lambda: raised(lambda: Address.create(**{**GOOD, "name": "A"})), "请填写收件人的全名。"),
    (lambda: raised(lambda: Address.create(**{**GOOD, "line1": "x"})), "请填写街道和门牌号。"),
    (lambda: raised(lambda: Address.create(**{**GOOD, "city": ""})), "请填写城市。"),
    (lambda: raised(lambda: Address.create(**{**GOOD, "region": "r" * 201})), "这个回答太长了。"),
    (lambda: raised(lambda: valid_country("Narnia")), "我们不认识 Narnia 这个国家或地区。"),
    (lambda: raised(lambda: Address.create(**{**GOOD, "postal_code": ""})), "请填写邮政编码。"),
    (lambda: raised(lambda: Address.create(**{**GOOD, "country": "CN", "postal_code": "ABC"})),
     "ABC 不是中国的有效邮政编码。"),
    (lambda: raised(lambda: Address.create(**{**GOOD, "phone": "12"})), "12 不是美国的有效电话号码。"),
    (lambda: raised(lambda: Address.create(**{**GOOD, "phone": "phone"})), "phone 不是电话号码。"),
    (lambda: raised(lambda: Cart(1, "USD", NOW).add(1, 0, NOW)), "请至少添加 1 件。"),
    (lambda: raised(lambda: Cart(1, "USD", NOW).set_quantity(1, -1, NOW)), "数量不能是负数。"),
    (lambda: raised(lambda: Cart(1, "USD", NOW).add(1, MAX_LINE_QUANTITY + 1, NOW)), f"最多 {MAX_LINE_QUANTITY} 件"),
    (lambda: OutOfStock("SHOE-RED-42", 2, 0), "SHOE-RED-42 已售罄。"),
    (lambda: OutOfStock("SHOE-RED-42", 5, 2), "SHOE-RED-42 只剩 2 件，您要了 5 件。"),
    (lambda: CouponNotApplicable("NOPE", "there is no such code."), "优惠码 NOPE 无法使用：没有这个优惠码。"),
    (lambda: refused(Coupon("OLD", CouponKind.PERCENT, 1000, "USD", active=False)), "它已停用。"),
    (lambda: refused(Coupon("SOON", CouponKind.PERCENT, 1000, "USD", starts_at=NOW + timedelta(days=1))),
     "它从 2026-11-03 起可用。"),
    (lambda: refused(Coupon("GONE", CouponKind.PERCENT, 1000, "USD", ends_at=NOW)), "它已于 2026-11-02 过期。"),
    (lambda: refused(Coupon("ONCE", CouponKind.PERCENT, 1000, "USD"), uses=1), "您已经用过它了。"),
    (lambda: refused(Coupon("EUR5", CouponKind.FIXED, 500, "EUR")), "它仅适用于以 EUR 结算的订单。"),
    (lambda: refused(Coupon("BIG", CouponKind.FIXED, 500, "USD", min_subtotal=3000), amount=1200),
     "订单小计需满 30.00 USD，还差 18.00 USD。"),
    (lambda: refused(Coupon("SHOES", CouponKind.FIXED, 500, "USD", category_ids=[9])), "购物车中没有适用的商品。"),
    (lambda: refused(Coupon("MINE", CouponKind.FIXED, 500, "USD", customer_id=7), customer_id=8),
     "它是发给其他顾客的。"),
]  # fmt: skip


@pytest.mark.parametrize(("make", "expected"), DOMAIN_SAYS)
def test_a_domain_error_reads_chinese_to_a_chinese_shopper(make: Callable[[], DomainError], expected: str) -> None:
    error = make()
    said = explain(ZH, error)
    assert expected in said
    assert re.findall(r"[a-z]{4,}", said) == re.findall(r"[a-z]{4,}", expected)  # no English sentence left


def test_an_english_shopper_reads_country_names_not_codes() -> None:
    error = raised(lambda: Address.create(**{**GOOD, "country": "CN", "postal_code": "ABC"}))
    assert error.message == "ABC is not a valid postal code for CN."  # the domain stays English, with codes
    assert explain(Translator("en"), error) == "ABC is not a valid postal code for China."


def test_a_message_nobody_mapped_is_shown_as_the_domain_wrote_it() -> None:
    assert explain(ZH, DomainError("Something new went wrong.")) == "Something new went wrong."


@pytest.mark.parametrize(("typed", "code"), [
    ("中国", "CN"), ("China", "CN"), ("cn", "CN"), (" CN ", "CN"), ("美国", "US"), ("United States", "US"),
    ("the United Kingdom", "GB"), ("英国", "GB"), ("中國", "CN"), ("USA", "US"), ("U.S.", "US"), ("德国", "DE"),
])  # fmt: skip
def test_countries_are_known_by_chinese_and_english_names_and_codes(typed: str, code: str) -> None:
    assert valid_country(typed) == code


def test_country_names_are_shown_in_the_shoppers_language() -> None:
    assert (country_name(ZH, "CN"), country_name(Translator("en"), "CN"), country_name(ZH, "XX")) == (
        "中国",
        "China",
        "XX",
    )
