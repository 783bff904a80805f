"""The web chat's own words — the widget's labels and the server's refusals — in the bot's gettext catalogs
(``bots/locale``; ``python -m bots.locale.update`` extracts them from here), so a missing Chinese translation
fails the same test as the bot's own messages. Everything a flow says comes translated from the engine.

The widget gets its words for both languages from ``/chat/words.js`` when the page loads (it must speak while
the server is away: "Reconnecting…"); placeholders such as ``{n}`` are filled in the browser.
"""

from __future__ import annotations

import json

from bots.i18n import SUPPORTED, Translator, normalise_locale


def _(message: str) -> str:
    """Marks a message for the catalogs; translated where it is used."""
    return message


# The widget page: header, input, controls, and what it says about the connection and refused messages.
WIDGET: dict[str, str] = {
    "title": _("Shop chat"),
    "header": _("Shop assistant"),
    "hint": _("Type a message…"),
    "send": _("Send"),
    "close": _("Close the chat"),
    "message": _("Message"),
    "soldOut": _("sold out"),
    "soldOutNotify": _("Sold out: choose it to be told when it's back"),
    "tracking": _("Tracking"),
    "reconnecting": _("Reconnecting…"),
    "connecting": _("Connecting…"),
    "connected": _("Connected"),
    "typing": _("typing…"),
    "notSent": _("Not sent: "),
    "tryAgain": _("Try again"),
    "lost": _("the connection was lost."),
    "tooLong": _("Your message has {n} characters; the limit is {max}. Please shorten it."),
}
# The page's ``lang`` attribute per locale.
LANG = {"en": "en", "zh": "zh-CN"}

# The socket's refusals (``error`` frames, shown in the chat) and the upgrade's (HTTP, seen by developers).
ERRORS: dict[str, str] = {
    "not_json": _("Send JSON text frames."),
    "not_object": _("Send a JSON object."),
    "slow_down": _("Slow down a little, please."),
    "new_chats": _("Too many new chats from your network; try again in a minute."),
    "no_session": _("Say hello first."),
    "unknown_type": _("Unknown message type."),
    "no_text": _("A message needs some text."),
    "too_long": _("Messages are limited to {max} characters; this one has {n}."),
    "no_payload": _("A button needs its payload."),
    "origin": _("This origin may not open the chat."),
    "restarting": _("Restarting; try again in a moment."),
}


def error_text(locale: str | None, key: str, **values: object) -> str:
    return Translator(normalise_locale(locale) or "en")(ERRORS[key], **values)


def widget_words() -> dict[str, dict[str, str]]:
    """Every widget word in every language we speak, keyed by our locale names."""
    out: dict[str, dict[str, str]] = {}
    for locale in SUPPORTED:
        t = Translator(locale)
        out[locale] = {"lang": LANG.get(locale, locale)} | {key: t(message) for key, message in WIDGET.items()}
    return out


def words_script() -> str:
    """``/chat/words.js``: the widget's words, read by ``app.js``."""
    return "window.CHATSHOP_WORDS = " + json.dumps(widget_words(), ensure_ascii=False, sort_keys=True) + ";\n"
