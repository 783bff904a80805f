"""Translations for everything the bot says: gettext catalogs under bots/locale, read as .po at start-up.

Loading the .po files with Babel (instead of compiled .mo files) means there is no build step to forget;
the catalogs are small and parsed once per process.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from nlu.interface import contains_cjk

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
SUPPORTED = ("en", "zh")
# Our short locale names -> catalog directories (Simplified Chinese is the catalog we ship).
_CATALOG_DIRS = {"en": "en", "zh": "zh_Hans"}


def normalise_locale(locale: object) -> str | None:
    """ "zh-CN", "zh_Hans", "ZH" -> "zh"; "en-GB" -> "en"; anything else (or junk) -> None."""
    if not isinstance(locale, str) or not locale or len(locale) > 35:
        return None
    language = locale.replace("_", "-").split("-")[0].lower()
    return language if language in SUPPORTED else None


def choose_locale(text: str | None, channel_locale: str | None, remembered: str | None) -> str:
    """Chinese characters in the message decide; otherwise the channel's locale, then what we knew. A button
    pressed (no text) keeps the conversation's language: a Chinese chat in an English browser stays Chinese."""
    if text and contains_cjk(text):
        return "zh"
    if not text and normalise_locale(remembered):
        return normalise_locale(remembered) or "en"
    return normalise_locale(channel_locale) or normalise_locale(remembered) or "en"


@cache
def translations(locale: str) -> gettext.NullTranslations:
    directory = _CATALOG_DIRS.get(locale)
    if directory is None:
        return gettext.NullTranslations()
    po = LOCALE_DIR / directory / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=directory)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


class Translator:
    """``t("Hello {name}", name=...)``: translate, then fill named placeholders."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in SUPPORTED else "en"
        self._catalog = translations(self.locale)

    def __call__(self, message: str, **values: object) -> str:
        translated = self._catalog.gettext(message)
        return translated.format(**values) if values else translated

    def plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The form for ``n`` ("1 item", "2 items"; one form in Chinese), placeholders filled (``n`` too)."""
        return self._catalog.ngettext(singular, plural, n).format(n=n, **values)
