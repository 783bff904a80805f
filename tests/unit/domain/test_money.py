"""Money is integer minor units with a currency; arithmetic never loses or invents a cent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.model.money import CurrencyMismatch, Money, bp_of

amounts = st.integers(min_value=-(10**12), max_value=10**12)


@given(amounts, amounts)
def test_adding_and_subtracting_round_trips(a: int, b: int) -> None:
    assert (Money(a, "USD") + Money(b, "USD")) - Money(b, "USD") == Money(a, "USD")


@given(
    st.integers(min_value=0, max_value=10**12),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=20),
)
def test_allocation_splits_exactly_and_fairly(amount: int, weights: list[int]) -> None:
    parts = Money(amount, "EUR").allocate(weights)
    assert len(parts) == len(weights)
    if sum(weights) == 0:
        assert all(p.amount == 0 for p in parts)
        return
    assert sum(p.amount for p in parts) == amount
    for part, weight in zip(parts, weights, strict=True):
        assert abs(part.amount - amount * weight / sum(weights)) < len(weights) + 1


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=0, max_value=10000))
def test_a_percentage_never_exceeds_the_amount_and_rounds_half_up(amount: int, bp: int) -> None:
    part = bp_of(amount, bp)
    assert 0 <= part <= amount
    assert abs(part * 10000 - amount * bp) <= 5000


def test_different_currencies_do_not_mix() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money(100, "USD") + Money(100, "EUR")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        Money(1.5, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _ = Money(100, "USD") * 1.5  # type: ignore[operator]


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("12.50", "USD", 1250), ("1,234.5", "USD", 123450), ("500", "JPY", 500), ("1.234", "KWD", 1234)],
)
def test_parsing_decimal_strings_is_exact(text: str, currency: str, minor: int) -> None:
    assert Money.parse(text, currency) == Money(minor, currency)
    assert Money.parse(Money(minor, currency).decimal_string(), currency).amount == minor


def test_parsing_refuses_fractions_of_a_cent() -> None:
    with pytest.raises(ValueError, match="more decimals"):
        Money.parse("0.001", "USD")


def test_formatting_for_people() -> None:
    assert Money(123456, "USD").format() == "1,234.56 USD"
    assert Money(1500, "JPY").format() == "1,500 JPY"
