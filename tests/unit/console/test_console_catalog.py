"""Every English text the console shows has its Chinese in the console's catalog, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import admin_api.console
from admin_api.console.i18n import ZH, locale_from_header, translator
from admin_api.console.pages import FORM_EXPIRED

HERE = Path(admin_api.console.__file__).parent
CALLS = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""")
PROBLEM_TITLES = re.compile(r"""problem\(request, \d+, "([^"]+)\"""")
STEP_LABELS = re.compile(r"""\("(?:picking|packed|delivered)", "([^"]+)"\)""")
DONE_WORDS = ("approved", "rejected", "shipped", "cancelled", "advanced", "created", "sent", "received")
PO_STATES = ("draft", "sent", "partially_received", "received", "cancelled")
ROLES = ("viewer", "operator", "approver", "admin")


def used_messages() -> set[str]:
    found: set[str] = {FORM_EXPIRED, *DONE_WORDS, *ROLES, *PO_STATES}
    for path in [*HERE.glob("templates/*.html"), *HERE.glob("*.py")]:
        text = path.read_text(encoding="utf-8")
        found |= {a or b for a, b in CALLS.findall(text)}
        found |= set(PROBLEM_TITLES.findall(text)) | set(STEP_LABELS.findall(text))
    return found


def test_every_message_the_console_shows_has_a_chinese_translation() -> None:
    used = used_messages()
    assert len(used) > 60
    assert sorted(used - set(ZH)) == []


def test_translations_keep_their_placeholders() -> None:
    for english, chinese in ZH.items():
        assert re.findall(r"%\(\w+\)s", english) == re.findall(r"%\(\w+\)s", chinese), english


def test_a_translation_fills_in_values_and_english_is_the_message_itself() -> None:
    assert translator("zh")("Order %(id)s", id="#7") == "订单 #7"
    assert translator("en")("Order %(id)s", id="#7") == "Order #7"


def test_the_sign_in_page_language_follows_the_browser() -> None:
    assert locale_from_header("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert locale_from_header("fr-FR,en-GB;q=0.5") == "en"
    assert locale_from_header("de") == "en"
    assert locale_from_header(None) == "en"
