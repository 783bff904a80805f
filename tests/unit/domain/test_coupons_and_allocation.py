"""Coupons and warehouse allocation as pure rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import CouponNotApplicable, ValidationFailed
from domain.model.coupons import Coupon, CouponKind, EligibleLine
from domain.model.inventory import WarehouseStock, plan_allocation
from domain.model.shipping import Address

NOW = datetime(2026, 11, 1, tzinfo=UTC)
lines_st = st.lists(
    st.builds(EligibleLine, st.integers(1, 5), st.frozensets(st.integers(1, 5), max_size=2), st.integers(0, 10**6)),
    min_size=1,
    max_size=8,
)


@given(lines_st, st.integers(1, 10000))
def test_a_percentage_coupon_never_discounts_more_than_the_lines_in_scope(lines: list[EligibleLine], bp: int) -> None:
    coupon = Coupon("PCT", CouponKind.PERCENT, bp, "USD", category_ids=[1], per_customer_limit=None)
    try:
        outcome = coupon.evaluate(lines, "USD", 0, NOW)
    except CouponNotApplicable as exc:
        assert "none of the items" in exc.reason
        return
    in_scope = sum(line.amount for line in lines if 1 in line.category_ids)
    assert 0 <= outcome.discount.amount <= in_scope
    assert sum(outcome.per_line) == outcome.discount.amount
    assert all(d == 0 for d, line in zip(outcome.per_line, lines, strict=True) if 1 not in line.category_ids)


@given(lines_st, st.integers(1, 10**6))
def test_a_fixed_coupon_never_makes_the_subtotal_negative(lines: list[EligibleLine], value: int) -> None:
    coupon = Coupon("FIX", CouponKind.FIXED, value, "USD", per_customer_limit=None)
    total = sum(line.amount for line in lines)
    try:
        outcome = coupon.evaluate(lines, "USD", 0, NOW)
    except CouponNotApplicable:
        assert total == 0
        return
    assert outcome.discount.amount == min(value, total)


@pytest.mark.parametrize(
    ("coupon", "uses", "reason"),
    [
        (Coupon("A", CouponKind.PERCENT, 1000, "USD", active=False), 0, "no longer active"),
        (Coupon("B", CouponKind.PERCENT, 1000, "USD", starts_at=NOW + timedelta(days=1)), 0, "starts on 2026-11-02"),
        (Coupon("C", CouponKind.PERCENT, 1000, "USD", usage_limit=0), 0, "used up"),
        (Coupon("D", CouponKind.PERCENT, 1000, "USD", per_customer_limit=1), 1, "already used it"),
        (Coupon("E", CouponKind.FIXED, 500, "EUR"), 0, "orders in EUR"),
        (Coupon("F", CouponKind.FIXED, 500, "USD", min_subtotal=5000), 0, "add 10.00 USD more"),
    ],
)
def test_coupon_refusals_say_why(coupon: Coupon, uses: int, reason: str) -> None:
    with pytest.raises(CouponNotApplicable, match=reason):
        coupon.evaluate([EligibleLine(1, frozenset(), 4000)], "USD", uses, NOW)


stock_st = st.lists(
    st.builds(WarehouseStock, st.integers(1, 9), st.integers(1, 3), st.integers(-2, 20)),
    max_size=5,
    unique_by=lambda s: s.warehouse_id,
)


@given(st.integers(1, 60), stock_st)
def test_allocation_takes_exactly_what_is_asked_from_what_is_there(quantity: int, stock: list[WarehouseStock]) -> None:
    picks = plan_allocation(quantity, stock)
    available = sum(max(0, s.available) for s in stock)
    if available < quantity:
        assert picks is None
        return
    assert picks is not None and sum(p.quantity for p in picks) == quantity
    by_id = {s.warehouse_id: s for s in stock}
    assert all(0 < p.quantity <= by_id[p.warehouse_id].available for p in picks)
    if any(s.available >= quantity for s in stock):
        assert len(picks) == 1


def test_allocation_prefers_priority_then_most_stock() -> None:
    stock = [WarehouseStock(1, 2, 50), WarehouseStock(2, 1, 5), WarehouseStock(3, 1, 9)]
    assert plan_allocation(4, stock)[0].warehouse_id == 3  # type: ignore[index]


def test_addresses_are_validated_and_normalised() -> None:
    address = Address.create(
        name="Li Wei",
        line1="88 Nanjing Rd",
        city="Shanghai",
        postal_code="200001",
        country="cn",
        phone="+86 138 0013 8000",
    )
    assert (address.country, address.phone) == ("CN", "+8613800138000")
    with pytest.raises(ValidationFailed, match="recipient"):
        Address.create(name="", line1="1 Main", city="X", postal_code="12345", country="US")
    with pytest.raises(ValidationFailed, match="phone"):
        Address.create(name="Ann", line1="1 Main St", city="Town", postal_code="12345", country="US", phone="12")


def test_a_personal_copy_keeps_the_templates_terms_is_single_use_and_belongs_to_one_customer() -> None:
    ends = datetime(2027, 1, 1, tzinfo=UTC)
    template = Coupon("SPRING20", CouponKind.PERCENT, 2000, "USD", min_subtotal=3000, ends_at=ends, category_ids=[7])
    template.active = False  # a template need not be usable itself
    mine = template.personal_copy(42, "campaign spring")
    assert mine.code.startswith("SPRING20-") and len(mine.code) == 17
    assert (mine.kind, mine.value, mine.min_subtotal, mine.ends_at, mine.category_ids) == (
        CouponKind.PERCENT,
        2000,
        3000,
        ends,
        [7],
    )
    assert (mine.usage_limit, mine.per_customer_limit, mine.customer_id, mine.active) == (1, 1, 42, True)
    assert template.personal_copy(42, "x").code != mine.code  # random, not derived from the customer
    now = datetime(2026, 12, 6, tzinfo=UTC)
    lines = [EligibleLine(1, frozenset({7}), 5000)]
    assert mine.evaluate(lines, "USD", 0, now, customer_id=42).discount.amount == 1000
    with pytest.raises(CouponNotApplicable, match="issued to someone else"):
        mine.evaluate(lines, "USD", 0, now, customer_id=43)
    with pytest.raises(CouponNotApplicable, match="issued to someone else"):
        mine.evaluate(lines, "USD", 0, now)  # nobody signed in is not the customer either


def test_a_template_code_too_long_for_a_personal_suffix_is_refused() -> None:
    with pytest.raises(ValidationFailed, match="at most 31"):
        Coupon("X" * 32, CouponKind.FIXED, 500, "USD").personal_copy(1, "")
