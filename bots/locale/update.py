"""Maintainers' tool: re-extract the bot's messages into the catalogs, keeping existing translations.

    .venv/bin/python -m bots.locale.update

New messages appear with an empty translation (English falls back to the msgid; the unit tests list
untranslated Chinese messages so they are never shipped by accident).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

BOTS_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BOTS_DIR / "locale"
CATALOGS = {"en": "en", "zh_Hans": "zh_Hans"}


# The shopper-facing packages; other bots (ops, campaigns) keep their own texts. The web chat's own words
# (its widget and its refusals, ``channels/webchat/texts.py``) are the shopper's too.
PACKAGES = ("conversation", "shopper")
CHANNEL_PACKAGES = ("webchat",)
# ``_("...")`` and ``ngettext("one", "many", n)`` (a plural: "1 minute", "2 minutes").
KEYWORDS = {"_": None, "ngettext": (1, 2)}
MessageId = str | tuple[str, str]


def extract() -> dict[MessageId, list[tuple[str, int]]]:
    """msgid (or (singular, plural)) -> where it is used, in the shopper-facing packages."""
    found: dict[MessageId, list[tuple[str, int]]] = {}
    sources = [(BOTS_DIR / p, f"bots/{p}") for p in PACKAGES]
    sources += [(BOTS_DIR.parent / "channels" / p, f"channels/{p}") for p in CHANNEL_PACKAGES]
    for directory, name in sources:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            directory, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if isinstance(message, str) or (len(message) == 2 and all(isinstance(m, str) for m in message)):
                found.setdefault(message, []).append((f"{name}/{filename}", lineno))
    return found


def update(directory: str, locale: str, messages: dict[MessageId, list[tuple[str, int]]]) -> Path:
    path = LOCALE_DIR / directory / "LC_MESSAGES" / "messages.po"
    old: dict[Any, Any] = {}  # msgid -> translation; both a str, or tuples for a plural
    if path.exists():
        with path.open("rb") as fh:
            old = {m.id: m.string for m in read_po(fh) if m.id}
    catalog = Catalog(locale=locale, project="chatshop", charset="utf-8")
    for message, locations in messages.items():
        catalog.add(message, old.get(message, ""), locations=locations)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=120, sort_output=True, omit_header=False)
    return path


def main() -> None:
    messages = extract()
    for directory, locale in CATALOGS.items():
        print(update(directory, locale, messages))


if __name__ == "__main__":
    main()
