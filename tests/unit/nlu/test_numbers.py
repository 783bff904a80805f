from __future__ import annotations

import pytest

from nlu.embedded.numbers import integer_string, money_string


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("80", "80"),
        ("$79.99", "79.99"),
        ("55.50", "55.5"),
        ("1,200", "1200"),
        ("eighty", "80"),
        ("eighty five", "85"),
        ("twenty-five", "25"),
        ("a hundred and twenty", "120"),
        ("八十", "80"),
        ("两百", "200"),
        ("一百二", "120"),
        ("一百零五", "105"),
        ("三千五", "3500"),
        ("十五", "15"),
    ],
)
def test_prices_in_words_and_digits_become_decimal_strings(written: str, value: str) -> None:
    assert money_string(written) == value


@pytest.mark.parametrize(("written", "value"), [("two", "2"), ("两", "2"), ("a couple", "2"), ("3", "3"), ("十", "10")])
def test_quantities_become_digit_strings(written: str, value: str) -> None:
    assert integer_string(written) == value


@pytest.mark.parametrize("written", ["", "shoes", "二点五x", "1.5"])
def test_non_integers_are_not_quantities(written: str) -> None:
    assert integer_string(written) is None
