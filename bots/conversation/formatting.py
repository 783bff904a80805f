"""Safe formatting for campaign text: **bold**, *italic* (or _italic_), [links](https://...) and line breaks.

Marketers write a small Markdown subset; ``parse`` turns it into channel-neutral spans with markdown-it-py
(CommonMark, with only the emphasis, link, escape and newline rules switched on), and each channel renders
spans its own way: Telegram HTML (``telegram_html``), an e-mail's HTML part (``email_html``), web chat DOM
nodes (the widget builds them from the spans, never from HTML), plain text everywhere else (``plain``).
Nothing a marketer types becomes markup of its own: raw HTML stays text, and a link is kept only when it
is http(s) (``javascript:``, ``data:`` and relative links are shown as their text).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from markdown_it import MarkdownIt


@dataclass(frozen=True)
class Span:
    """A run of text with one set of styles; ``"\\n"`` runs are line breaks."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    return MarkdownIt("zero").enable(["emphasis", "link", "escape", "newline"])


def _safe_href(url: str) -> str | None:
    return url if url.lower().startswith(("https://", "http://")) else None


@lru_cache(maxsize=256)
def parse(text: str) -> tuple[Span, ...]:
    """The spans of a campaign text (cached: a broadcast formats the same few texts thousands of times)."""
    spans: list[Span] = []
    bold = italic = 0
    href: str | None = None
    for block in _markdown().parseInline(text):
        for token in block.children or ():
            kind = token.type
            if kind == "strong_open":
                bold += 1
            elif kind == "strong_close":
                bold -= 1
            elif kind == "em_open":
                italic += 1
            elif kind == "em_close":
                italic -= 1
            elif kind == "link_open":
                href = _safe_href(str(token.attrGet("href") or ""))
            elif kind == "link_close":
                href = None
            elif kind in ("softbreak", "hardbreak"):
                spans.append(Span("\n"))
            elif token.content:
                spans.append(Span(token.content, bold > 0, italic > 0, href))
    return tuple(_merged(spans))


def _merged(spans: Iterable[Span]) -> list[Span]:
    """Neighbouring runs with the same styles as one (markdown-it splits text at every special character)."""
    out: list[Span] = []
    for span in spans:
        last = out[-1] if out else None
        if last and "\n" not in (span.text, last.text) and _style(last) == _style(span):
            out[-1] = Span(last.text + span.text, last.bold, last.italic, last.href)
        else:
            out.append(span)
    return out


def _style(span: Span) -> tuple[bool, bool, str | None]:
    return span.bold, span.italic, span.href


def plain(spans: Sequence[Span]) -> str:
    """Text without styles; a link shows its address after its label (unless the label is the address)."""
    parts: list[str] = []
    for i, span in enumerate(spans):
        parts.append(span.text)
        ends_link = span.href and (i + 1 == len(spans) or spans[i + 1].href != span.href)
        if ends_link and span.href:
            label = "".join(s.text for s in _link_run(spans, i))
            if label.strip() != span.href:
                parts.append(f" ({span.href})")
    return "".join(parts)


def _link_run(spans: Sequence[Span], last: int) -> list[Span]:
    first = last
    while first > 0 and spans[first - 1].href == spans[last].href:
        first -= 1
    return list(spans[first : last + 1])


def _html(spans: Sequence[Span], bold: str, italic: str, newline: str) -> str:
    out: list[str] = []
    for span in spans:
        if span.text == "\n":
            out.append(newline)
            continue
        piece = escape(span.text, quote=False)
        if span.italic:
            piece = f"<{italic}>{piece}</{italic}>"
        if span.bold:
            piece = f"<{bold}>{piece}</{bold}>"
        if span.href:
            piece = f'<a href="{escape(span.href, quote=True)}">{piece}</a>'
        out.append(piece)
    return "".join(out)


def telegram_html(spans: Sequence[Span]) -> str:
    """For Bot API ``parse_mode=HTML`` (which takes ``<b>``, ``<i>``, ``<a href>`` and real line breaks)."""
    return _html(spans, "b", "i", "\n")


def email_html(spans: Sequence[Span]) -> str:
    return _html(spans, "strong", "em", "<br>\n")


def truncate(spans: Sequence[Span], limit: int) -> tuple[Span, ...]:
    """At most ``limit`` visible characters (Telegram counts a caption's text, not its markup)."""
    out: list[Span] = []
    left = limit
    for span in spans:
        if left <= 0:
            break
        piece = span.text[:left]
        out.append(Span(piece, span.bold, span.italic, span.href))
        left -= len(piece)
    return tuple(out)
