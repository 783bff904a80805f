from __future__ import annotations

import re

import pytest

from bots.i18n import Translator, choose_locale, normalise_locale, translations
from bots.locale.update import extract


@pytest.mark.parametrize(("text", "channel", "remembered", "expected"), [
    ("我想买鞋", None, None, "zh"), ("我想买鞋", "en", "en", "zh"), ("hi", "zh-CN", None, "zh"),
    ("hi", None, "zh", "zh"), ("hi", None, None, "en"), ("hi", "fr", None, "en"), ("hi", "xx-💥", "zh", "zh"),
    ("12345", "zh_Hans", None, "zh"), (None, None, None, "en"), ("", "en-GB", "zh", "zh"), ("", "en-GB", None, "en"),
    (None, "zh-CN", "en", "en"),
])  # fmt: skip
def test_locale_comes_from_chinese_text_then_channel_then_memory_and_a_button_keeps_the_chats_language(
    text: str | None, channel: str | None, remembered: str | None, expected: str
) -> None:
    assert choose_locale(text, channel, remembered) == expected


@pytest.mark.parametrize("junk", [None, 12, "", "x" * 100, "-", "klingon"])
def test_unknown_locales_normalise_to_none(junk: object) -> None:
    assert normalise_locale(junk) is None


def test_every_bot_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    catalog = translations("zh")
    missing, broken = [], []
    for key in extract():
        # A plural ("1 minute" / "2 minutes") is one form in Chinese: checked as its plural msgid.
        message = key if isinstance(key, str) else key[1]
        translated = catalog.gettext(key) if isinstance(key, str) else catalog.ngettext(*key, 2)
        if translated == message and re.search(r"[A-Za-z]{3}", re.sub(r"\{\w+\}", "", message)):
            missing.append(key)
        if set(re.findall(r"\{(\w+)\}", translated)) != set(re.findall(r"\{(\w+)\}", message)):
            broken.append(key)
    assert missing == [] and broken == []


def test_plurals_follow_the_number_in_english_and_have_one_form_in_chinese() -> None:
    one, many = "The payment link expires in {n} minute.", "The payment link expires in {n} minutes."
    assert (one, many) in extract()
    assert translations("en").ngettext(one, many, 1) == one and translations("en").ngettext(one, many, 2) == many
    assert translations("zh").ngettext(one, many, 1) == translations("zh").ngettext(one, many, 7) != one


def test_translator_fills_placeholders_in_both_languages() -> None:
    assert Translator("en")("Pay {total}", total="5.00 USD") == "Pay 5.00 USD"
    assert Translator("zh")("Pay {total}", total="5.00 USD") == "支付 5.00 USD"
    assert Translator("xx").locale == "en"
