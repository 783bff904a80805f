"""Intent features: character n-grams (robust to typos, and the natural unit for Chinese) plus word
unigrams and bigrams, computed in plain Python so one parse costs tens of microseconds.

The same function feeds training and inference, so the two can never drift apart.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d")
_SPACES = re.compile(r"\s+")
_WORDS = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\sa-z0-9]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


#: One private-use character per dictionary entity type: "red running shoes" and "black rain jacket"
#: both read "\ue003 \ue000" to the intent model, so it learns the request, not the product.
_PLACEHOLDERS = {"product": "\ue000", "brand": "\ue001", "category": "\ue002", "color": "\ue003", "size": "\ue004"}

EntitySpans = tuple[tuple[int, int, str], ...] | list[tuple[int, int, str]]


def mask_entities(text: str, spans: EntitySpans) -> str:
    if not spans:
        return text
    parts: list[str] = []
    last = 0
    for start, end, entity in sorted(spans):
        if start < last:
            continue
        parts.append(text[last:start])
        parts.append(" " + _PLACEHOLDERS.get(entity, "\ue005") + " ")
        last = end
    parts.append(text[last:])
    return "".join(parts)


def normalise_for_intent(text: str) -> str:
    # Digits carry no intent ("order 1042" vs "order 7788"), only their presence does.
    return _SPACES.sub(" ", _DIGITS.sub("0", text.casefold())).strip()


def intent_features(text: str, spans: EntitySpans = ()) -> dict[str, float]:
    """Feature counts of `text`, with the dictionary entities in `spans` (start, end, type) masked."""
    norm = normalise_for_intent(mask_entities(text, spans))
    counts: dict[str, float] = {}
    for _, _, entity in spans:
        key = "e:" + entity
        counts[key] = counts.get(key, 0.0) + 1.0
    # char_wb-style n-grams per whitespace word; Chinese runs also get character unigrams.
    for word in norm.split(" "):
        padded = f" {word} "
        size = len(padded)
        for n in (2, 3, 4):
            for i in range(size - n + 1):
                gram = "c:" + padded[i : i + n]
                counts[gram] = counts.get(gram, 0.0) + 1.0
    for run in _CJK_RUN.findall(norm):
        for ch in run:
            key = "u:" + ch
            counts[key] = counts.get(key, 0.0) + 1.0
    words = _WORDS.findall(norm)
    previous = "<s>"
    for word in words:
        key = "w:" + word
        counts[key] = counts.get(key, 0.0) + 1.0
        key = "b:" + previous + " " + word
        counts[key] = counts.get(key, 0.0) + 1.0
        previous = word
    key = "b:" + previous + " </s>"
    counts[key] = counts.get(key, 0.0) + 1.0
    return counts
