"""Tokenisation shared by the gazetteer, the CRF and the intent features.

Latin words (with inner hyphens/apostrophes), numbers and codes are one token each; every CJK
ideograph is its own token. Character tokens make Chinese work without a word segmenter (and
without jieba's dictionary load time and memory), and the CRF learns multi-character words from
B/I tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"[#$¥£€]?[A-Za-z0-9]+(?:[.,'\-][A-Za-z0-9]+)*"  # words, numbers ("79.99", "1,200"), codes, "#1042"
    r"|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # one CJK ideograph
    r"|[^\sA-Za-z0-9\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"  # any other single non-space character
)


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def is_cjk(self) -> bool:
        return len(self.text) == 1 and "\u3400" <= self.text <= "\ufaff"


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def normalise_key(text: str) -> str:
    """Lookup key for surface forms: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())
