"""Numbers as shoppers write them ("two", "eighty five", "两", "一百二", "$79.99") to canonical strings.

Money stays in `Decimal` and leaves as a string: no float ever touches a price.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_EN_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_SCALES = {"hundred": 100, "thousand": 1000}
_EN_PHRASES = {"a couple": 2, "a couple of": 2, "couple": 2, "a pair of": 2, "a dozen": 12, "dozen": 12}

EN_NUMBER_WORDS = tuple(_EN_UNITS) + tuple(_EN_TENS) + tuple(_EN_SCALES)
#: One English number written in words ("eighty", "twenty-five", "one hundred and twenty").
EN_NUMBER_PATTERN = (
    r"(?:(?:a\s+)?(?:" + "|".join(sorted(EN_NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"(?:(?:\s+|-)(?:and\s+)?(?:" + "|".join(sorted(EN_NUMBER_WORDS, key=len, reverse=True)) + r"))*)"
)

_ZH_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_ZH_SCALES = {"十": 10, "百": 100, "千": 1000, "万": 10000}
ZH_NUMBER_CHARS = "".join(_ZH_DIGITS) + "".join(_ZH_SCALES)


def parse_en_words(text: str) -> int | None:
    """ "eighty five" -> 85, "a hundred and twenty" -> 120, "a couple" -> 2; None if not a number."""
    phrase = re.sub(r"[\s-]+", " ", text.casefold()).strip()
    if phrase in _EN_PHRASES:
        return _EN_PHRASES[phrase]
    words = [w for w in phrase.split(" ") if w != "and"]
    if words and words[0] == "a":
        words = ["one", *words[1:]]
    if not words:
        return None
    total = 0
    current = 0
    seen = False
    for word in words:
        if word in _EN_UNITS:
            current += _EN_UNITS[word]
        elif word in _EN_TENS:
            current += _EN_TENS[word]
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


def parse_zh_number(text: str) -> int | None:
    """ "八十" -> 80, "两百" -> 200, "一百二" -> 120 (colloquial: the tail is the next unit down), "十五" -> 15."""
    text = text.strip()
    if not text or any(ch not in _ZH_DIGITS and ch not in _ZH_SCALES for ch in text):
        return None
    total = 0
    section = 0  # value below 万
    digit: int | None = None
    last_scale = 1
    for ch in text:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
            continue
        scale = _ZH_SCALES[ch]
        if scale == 10000:
            section += digit or 0
            total += max(section, 1) * 10000
            section, digit, last_scale = 0, None, 10000
            continue
        section += (1 if digit is None else digit) * scale
        digit, last_scale = None, scale
    if digit is not None:
        # "一百二" means 120: a trailing digit right after a scale counts in the next unit down.
        section += digit * (last_scale // 10 if last_scale >= 100 and text[-2] in _ZH_SCALES else 1)
    return total + section


def parse_number(text: str) -> Decimal | None:
    """Digits ("79.99", "1,200"), English words or Chinese numerals to a Decimal; None otherwise."""
    cleaned = text.strip().lstrip("$¥£€").strip().replace(",", "")
    if not cleaned:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        try:
            return Decimal(cleaned)
        except InvalidOperation:
            return None
    value = parse_zh_number(cleaned)
    if value is None:
        value = parse_en_words(cleaned)
    return None if value is None else Decimal(value)


def decimal_string(value: Decimal) -> str:
    """Canonical money string: "80", "79.99", "55.5" (no exponent, no trailing zeros)."""
    text = format(value.normalize(), "f")
    return text


def integer_string(text: str) -> str | None:
    value = parse_number(text)
    if value is None or value != value.to_integral_value() or value < 0:
        return None
    return str(int(value))


def money_string(text: str) -> str | None:
    value = parse_number(text)
    if value is None or value < 0:
        return None
    return decimal_string(value)
