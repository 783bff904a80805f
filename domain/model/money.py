"""Money as integer minor units with a currency; floats never touch it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 exponents that differ from 2; everything else has two decimals.
_EXPONENTS = {"JPY": 0, "KRW": 0, "VND": 0, "CLP": 0, "ISK": 0, "BHD": 3, "KWD": 3, "OMR": 3, "TND": 3}


class CurrencyMismatch(ValueError):
    pass


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency.upper(), 2)


def currencies_with_exponent(exp: int) -> tuple[str, ...]:
    """The currencies known to have ``exp`` decimals, other than two (for SQL that scales per currency)."""
    return tuple(cur for cur, e in _EXPONENTS.items() if e == exp)


@dataclass(frozen=True, slots=True)
class Money:
    amount: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"bad currency code {self.currency!r}")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, text: str, currency: str) -> Money:
        """Parse a decimal string in major units ("12.50") exactly, refusing sub-minor precision."""
        try:
            value = Decimal(text.strip().replace(",", ""))
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {text!r}") from exc
        scaled = value.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{text!r} has more decimals than {currency} allows")
        return cls(int(scaled), currency)

    def _check(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} cannot be combined")

    def __add__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if not isinstance(factor, int) or isinstance(factor, bool):
            raise TypeError("Money can only be multiplied by an int")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._check(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._check(other)
        return self.amount <= other.amount

    def basis_points(self, bp: int) -> Money:
        """``bp``/10000 of this amount, rounded half up (1% = 100 bp)."""
        return Money(bp_of(self.amount, bp), self.currency)

    def min(self, other: Money) -> Money:
        self._check(other)
        return self if self.amount <= other.amount else other

    def allocate(self, weights: list[int]) -> list[Money]:
        """Split into parts proportional to non-negative weights, summing exactly to this amount.

        Largest-remainder method: leftover cents go to the parts that lost most to rounding, and a part
        with weight 0 always gets 0.
        """
        if any(w < 0 for w in weights):
            raise ValueError("weights can't be negative")
        if self.amount < 0:
            return [-m for m in (-self).allocate(weights)]
        total = sum(weights)
        if total <= 0:
            return [Money(0, self.currency) for _ in weights]
        parts = [self.amount * w // total for w in weights]
        leftover = self.amount - sum(parts)
        order = sorted(
            (i for i, w in enumerate(weights) if w > 0), key=lambda i: (-(self.amount * weights[i] % total), i)
        )
        for i in order[:leftover]:
            parts[i] += 1
        return [Money(p, self.currency) for p in parts]

    def decimal_string(self) -> str:
        """Major units as a plain decimal string ("1234.50"), the inverse of ``parse``."""
        exp = exponent(self.currency)
        return str(Decimal(self.amount).scaleb(-exp).quantize(Decimal(1).scaleb(-exp))) if exp else str(self.amount)

    def format(self) -> str:
        exp = exponent(self.currency)
        value = Decimal(self.amount).scaleb(-exp).quantize(Decimal(1).scaleb(-exp), rounding=ROUND_HALF_UP)
        return f"{value:,} {self.currency}" if exp else f"{int(value):,} {self.currency}"

    def __str__(self) -> str:
        return self.format()


def bp_of(amount: int, bp: int) -> int:
    """Integer ``amount * bp / 10000`` rounded half away from zero."""
    product = amount * bp
    sign = -1 if product < 0 else 1
    return sign * ((abs(product) + 5000) // 10000)
