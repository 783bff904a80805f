"""Slack's message format turned into what a shopper's chat shows: staff write in Slack, shoppers read in
Telegram or the web chat, where ``<@U123>``, ``<https://…|text>``, ``:smile:`` and ``&amp;`` mean nothing.

Slack escapes ``&``, ``<`` and ``>`` typed by a person as entities, so every raw ``<…>`` is one of Slack's
own tokens (mentions, links, special mentions); everything else is text with entities and emoji shortcodes.
The result is plain text: each shopper channel escapes it for its own markup when it renders the reply.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

import emoji

_TOKEN = re.compile(r"<([^<>]*)>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")
_SKIN_TONES = {f":skin-tone-{n}:": chr(0x1F3FB + n - 2) for n in range(2, 7)}  # Slack writes tones apart
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}
SOMEONE = "a colleague"  # a mention of a Slack user we can't name


def mentioned_users(text: str) -> list[str]:
    """The Slack user ids mentioned in ``text``, in order, once each."""
    return list(dict.fromkeys(_USER.findall(text)))


def _text(part: str) -> str:
    """Ordinary text between tokens: entities decoded, emoji shortcodes (Slack's names, aliases) as emoji."""
    for code, tone in _SKIN_TONES.items():
        part = part.replace(code, tone)
    return emoji.emojize(html.unescape(part), language="alias")


def _link(url: str, label: str | None) -> str:
    url = html.unescape(url)
    if url.startswith("mailto:"):
        return html.unescape(label) if label else url.removeprefix("mailto:")
    if not label:
        return url
    label = _text(label)
    bare = url.split("://", 1)[-1].rstrip("/")
    if label in (url, bare) or label.rstrip("/") == bare:
        return url  # Slack's auto-link of a typed URL: say it once
    return f"{label} ({url})"


def _token(body: str, names: Mapping[str, str]) -> str:
    target, _, label = body.partition("|")
    if target.startswith("@"):
        return names.get(target[1:], html.unescape(label) if label else SOMEONE)
    if target.startswith("#"):
        return "#" + html.unescape(label) if label else "#channel"
    if target.startswith("!"):
        keyword = target[1:].split("^", 1)[0]
        if keyword in _SPECIAL:
            return _SPECIAL[keyword]
        return html.unescape(label) if label else ""  # <!date^…|fallback>, <!subteam^S1|@team>
    return _link(target, label or None)


def to_plain(text: str, names: Mapping[str, str]) -> str:
    """``text`` as Slack sent it, as plain text; ``names`` maps Slack user ids to the names shoppers see."""
    out: list[str] = []
    at = 0
    for match in _TOKEN.finditer(text):
        out.append(_text(text[at : match.start()]))
        out.append(_token(match.group(1), names))
        at = match.end()
    out.append(_text(text[at:]))
    return "".join(out).strip()
