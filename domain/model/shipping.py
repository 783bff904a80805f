"""Shipping: validated addresses, and methods with zones and price rules."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import phonenumbers
from babel import Locale

from domain.errors import ValidationFailed
from domain.model.money import Money

_COUNTRIES = frozenset(
    code for code in Locale("en").territories if isinstance(code, str) and len(code) == 2 and code.isalpha()
)


def _fold(text: str) -> str:
    return " ".join(text.replace(".", "").casefold().split())


# Countries by name as shoppers type them: Babel's territory names in the languages we speak (China, 中国,
# 中國, United States, 美国), plus the short forms people use that CLDR doesn't list as names.
_NAME_LOCALES = ("en", "zh_Hans", "zh_Hant")
_BY_NAME: dict[str, str] = {
    _fold(name): code
    for locale in _NAME_LOCALES
    for code, name in Locale.parse(locale).territories.items()
    if code in _COUNTRIES
}
_BY_NAME.update({"usa": "US", "america": "US", "uk": "GB", "great britain": "GB", "britain": "GB"})


# Formats for the countries a shop most often ships to; others get a generic sanity check.
_POSTAL = {
    "US": r"\d{5}(-\d{4})?",
    "CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
    "DE": r"\d{5}",
    "FR": r"\d{5}",
    "ES": r"\d{5}",
    "IT": r"\d{5}",
    "NL": r"\d{4} ?[A-Z]{2}",
    "CN": r"\d{6}",
    "JP": r"\d{3}-?\d{4}",
    "AU": r"\d{4}",
    "IN": r"\d{6}",
    "SG": r"\d{6}",
}


def valid_country(text: str) -> str:
    """The ISO code of a country given by its code or by its name in English or Chinese (CN, China, 中国)."""
    given = " ".join(text.split())
    code = given.upper()
    if code in _COUNTRIES:
        return code
    folded = _fold(given.removeprefix("the ").removeprefix("The "))
    found = folded.upper() if folded.upper() in _COUNTRIES else _BY_NAME.get(folded)  # "U.S." too
    if found is None:
        raise ValidationFailed(
            f"{given or 'That'} is not a country we know (type its name, or two letters like US or CN)."
        )
    return found


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    region: str = ""
    phone: str = ""

    @classmethod
    def create(cls, **fields: str) -> Address:
        """Validate and normalise; raises ValidationFailed naming the first bad field."""
        name = fields.get("name", "").strip()
        line1 = fields.get("line1", "").strip()
        city = fields.get("city", "").strip()
        if len(name) < 2:
            raise ValidationFailed("Please give the recipient's full name.")
        if len(line1) < 3:
            raise ValidationFailed("Please give the street and number.")
        if len(city) < 2:
            raise ValidationFailed("Please give the city.")
        country = valid_country(fields.get("country", ""))
        postal = validate_postal_code(fields.get("postal_code", ""), country)
        phone = fields.get("phone", "").strip()
        if phone:
            phone = validate_phone(phone, country)
        for key in ("name", "line1", "line2", "city", "region"):
            if len(fields.get(key, "")) > 200:
                raise ValidationFailed(f"The {key} is too long.")
        return cls(
            name=name,
            line1=line1,
            line2=fields.get("line2", "").strip(),
            city=city,
            postal_code=postal,
            country=country,
            region=fields.get("region", "").strip(),
            phone=phone,
        )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def one_line(self) -> str:
        parts = [
            self.name,
            self.line1,
            self.line2,
            f"{self.postal_code} {self.city}",
            self.region,
            self.country,
        ]
        return ", ".join(p for p in parts if p)


def validate_postal_code(code: str, country: str) -> str:
    code = code.strip().upper()
    pattern = _POSTAL.get(country, r"[A-Z0-9][A-Z0-9 -]{1,9}")
    if not re.fullmatch(pattern, code):
        raise ValidationFailed(f"{code or 'An empty postal code'} is not a valid postal code for {country}.")
    return code


def validate_phone(phone: str, country: str) -> str:
    try:
        parsed = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(f"{phone} is not a phone number.") from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationFailed(f"{phone} is not a valid phone number for {country}.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class ShippingMethod:
    def __init__(
        self,
        code: str,
        name: str,
        price: int,
        currency: str,
        countries: list[str] | None = None,
        free_over: int | None = None,
        min_days: int = 2,
        max_days: int = 5,
        active: bool = True,
    ) -> None:
        self.id: int | None = None
        self.code = code
        self.name = name
        self.price = price
        self.currency = currency
        self.countries = [c.upper() for c in (countries or [])]
        self.free_over = free_over
        self.min_days = min_days
        self.max_days = max_days
        self.active = active

    def serves(self, country: str) -> bool:
        return self.active and (not self.countries or country.upper() in self.countries)

    def quote(self, subtotal: Money) -> Money:
        """Flat price, or free once the (discounted) subtotal reaches ``free_over``."""
        if self.free_over is not None and subtotal.amount >= self.free_over:
            return Money(0, self.currency)
        return Money(self.price, self.currency)
