"""The one NLU interface every engine implements, and the results it returns.

Callers (bots) depend on `NluEngine` and the frozen result types only, so the embedded engine and
the Rasa client are interchangeable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

#: Longest text an engine looks at. Shopper messages are short; a cap keeps a 100 KB paste from
#: costing more than a normal message (n-gram extraction is linear in length).
MAX_TEXT_CHARS = 500

#: Intent every engine returns for input it cannot understand (empty, garbage, off-topic).
OUT_OF_SCOPE = "out_of_scope"

INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "browse_catalog",
    "search_product",
    "product_details",
    "add_to_cart",
    "view_cart",
    "remove_from_cart",
    "apply_coupon",
    "checkout",
    "order_status",
    "cancel_order",
    "return_request",
    "shipping_info",
    "payment_help",
    "talk_to_human",
    "unsubscribe",
    OUT_OF_SCOPE,
)

ENTITY_TYPES: tuple[str, ...] = (
    "product",
    "category",
    "color",
    "size",
    "brand",
    "quantity",
    "max_price",
    "order_id",
    "coupon_code",
)


@dataclass(frozen=True)
class Entity:
    """One entity found in the text. `value` is normalised (canonical English, digits, upper-case code)."""

    entity: str
    value: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class ParseResult:
    text: str
    intent: str
    confidence: float
    entities: tuple[Entity, ...]
    language: str  # "en" | "zh"
    intent_ranking: tuple[tuple[str, float], ...] = field(default=())

    def entity_values(self, entity: str) -> list[str]:
        """Values of every entity of one type, in text order."""
        return [e.value for e in self.entities if e.entity == entity]

    def first(self, entity: str) -> str | None:
        values = self.entity_values(entity)
        return values[0] if values else None


@runtime_checkable
class NluEngine(Protocol):
    async def parse(self, text: str, locale: str | None = None) -> ParseResult: ...


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK unified ideographs
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x2A6DF  # extension B
    )


def contains_cjk(text: str) -> bool:
    return any(_is_cjk(ch) for ch in text)


def detect_language(text: str, locale: str | None = None) -> str:
    """ "zh" when the text holds any CJK ideograph, "en" otherwise.

    The text decides, not the locale: a Chinese-locale shopper who types "hi" wrote English. The
    locale only breaks the tie for text with no letters at all (digits, emoji, "#1042").
    """
    if contains_cjk(text):
        return "zh"
    if locale and locale.lower().startswith("zh") and not any(ch.isalpha() for ch in text):
        return "zh"
    return "en"


def clean_text(text: object) -> str:
    """The text an engine parses: a str, capped, control characters turned into spaces, trimmed."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = text[: MAX_TEXT_CHARS * 2]  # cheap first cut before the per-character pass
    cleaned = "".join(" " if (ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0) else ch for ch in text)
    # Lone surrogates cannot be encoded and would make any downstream .encode() raise.
    cleaned = cleaned.encode("utf-8", "replace").decode("utf-8")
    return cleaned.strip()[:MAX_TEXT_CHARS]


# Markup and code a shopper pasted (or a probe typed): never a request, whatever words it contains.
# "<script>alert(1)</script>" once scored unsubscribe 0.64; a tag, an event handler, a template or a
# statement is no intent of a shopper, so engines return out_of_scope for it before any model runs.
_CODE_LIKE = re.compile(
    r"""<\s*/?\s*[a-z!][a-z0-9-]*(?:\s[^<>]*)?/?\s*>"""  # an HTML/XML tag or comment
    r"""|\b(?:javascript|vbscript)\s*:"""  # a script URL
    r"""|\bon[a-z]{3,}\s*=\s*["']?[a-z(]"""  # an inline event handler (onerror=, onclick=)
    r"""|\{\{.*\}\}|\$\{[^}]*\}|<%|%>"""  # template syntax
    r"""|\bselect\s+(?:\*|[\w.]+\s*,)|\bunion\s+(?:all\s+)?select\b|\bdrop\s+table\b"""  # SQL
    r"""|\binsert\s+into\s+\w+|\bdelete\s+from\s+\w+\s+where\b|'\s*or\s+'?1'?\s*=\s*'?1"""
    r"""|\b(?:function\s*\w*\s*\([^)]*\)\s*\{|eval\s*\(|alert\s*\(|document\.\w+\s*[(.=]|window\.\w+\s*[(.=])"""
    r"""|[;{}]\s*(?:var|let|const|return)\s""",
    re.IGNORECASE,
)


def looks_like_code(text: str) -> bool:
    """True for markup or code-like text (tags, script URLs, handlers, templates, SQL, JavaScript)."""
    return bool(_CODE_LIKE.search(text))


def out_of_scope_result(text: str, language: str, confidence: float = 0.0) -> ParseResult:
    return ParseResult(
        text=text,
        intent=OUT_OF_SCOPE,
        confidence=confidence,
        entities=(),
        language=language,
        intent_ranking=((OUT_OF_SCOPE, confidence),),
    )
