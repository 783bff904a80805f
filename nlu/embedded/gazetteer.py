"""Longest-match dictionary of entity surface forms -> (entity type, canonical value).

Built from the data files only: lookup tables (canonical values), synonyms (their other spellings and
Chinese names) and the values annotated in the training examples. A few compounds that contain an
entity word but are not one (包邮 "free shipping" contains 包 "bag") are listed as blockers, so the
longest match swallows them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from nlu.embedded.tokens import Token, normalise_key
from nlu.training_data import TrainingData

#: Entity types the gazetteer owns; numbers, ids and codes are the rules' job.
GAZETTEER_TYPES = ("product", "brand", "category", "color", "size")

#: Types a shopper may fill with names the catalog does not hold ("Nike", "a Logitech mouse").
OPEN_TYPES = frozenset({"brand", "product"})

#: Surface forms that contain an entity word but mean something else.
BLOCKERS = (
    "包裹",
    "包邮",
    "包装",
    "红包",
    "明白",
    "白天",
    "空白",
    "蓝牙",
    "粉丝",
    "黑五",
    "包括",
    "my bag",
    "my bags",
    "shopping bag",
    "to bag",
    "in my bag",
)

#: Sizes that are ordinary words or letters; the rules accept them only in context.
_CONTEXT_ONLY_SIZES = {"s", "m", "l", "small", "medium", "large", "med"}

#: Canonical values are written like the catalog does.
_CASE_BY_TYPE = {"color": str.lower, "category": str.lower, "size": str.upper}

MAX_TERM_TOKENS = 8


@dataclass
class Gazetteer:
    terms: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    #: canonical value per type, by key, for fuzzy normalisation of CRF spans
    canonical: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, surface: str, entity: str, value: str) -> None:
        key = normalise_key(surface)
        if not key or key in self.terms:
            return
        self.terms[key] = (entity, value)
        self.canonical.setdefault(entity, {})[key] = value

    def match(self, text: str, tokens: list[Token]) -> list[tuple[int, int, str, str]]:
        """Greedy longest matches as (first token, last token + 1, entity, value), left to right."""
        found: list[tuple[int, int, str, str]] = []
        i = 0
        n = len(tokens)
        while i < n:
            best: tuple[int, tuple[str, str] | None] | None = None
            for j in range(min(n, i + MAX_TERM_TOKENS), i, -1):
                key = normalise_key(text[tokens[i].start : tokens[j - 1].end])
                if key in self.terms:
                    # Candidates are tried longest first and always end on a token boundary, so
                    # the first hit is the longest match and never half a word.
                    best = (j, self.terms[key])
                    break
            if best is None:
                i += 1
                continue
            end, hit = best
            if hit is not None:
                found.append((i, end, hit[0], hit[1]))
            i = end
        return found

    def normalise(self, entity: str, surface: str) -> str | None:
        """Canonical value of a surface form for one entity type (exact key, then a close spelling)."""
        table = self.canonical.get(entity)
        if not table:
            return None
        key = normalise_key(surface)
        if key in table:
            return table[key]
        if len(key) < 4:
            return None
        import difflib  # only CRF spans the dictionary missed get here

        close = difflib.get_close_matches(key, list(table), n=1, cutoff=0.8)
        return table[close[0]] if close else None


def _type_of_value(data: TrainingData) -> dict[str, str]:
    """Canonical value (case-folded) -> entity type, from lookup tables then annotations."""
    types: dict[str, str] = {}
    for entity, values in data.lookups.items():
        for value in values:
            types.setdefault(normalise_key(value), entity)
    for example in data.examples:
        for ann in example.entities:
            types.setdefault(normalise_key(ann.value), ann.entity)
    return types


def _carried(data: TrainingData) -> Callable[[str, str], bool]:
    """Whether a brand or product value is one the catalog holds: a brand of the lookup table; a product
    of the table, named after one of its brands ("Hearth Soy Candle") or a type its products end with
    ("running shoes", "power bank"). Other brands and products ("Nike", "a Logitech mouse") are examples of
    what the shop does not carry: the CRF learns to find them from their context, and the dictionary leaves
    them out, or "apple pay" and "my phone" would be products wherever they are said."""
    brands = {normalise_key(v) for v in data.lookups.get("brand", [])}
    products = [normalise_key(v).split() for v in data.lookups.get("product", [])]

    def carried(entity: str, value: str) -> bool:
        words = normalise_key(value).split()
        if entity == "brand":
            return " ".join(words) in brands
        if entity == "product":
            return bool(words) and (words[0] in brands or any(name[-len(words) :] == words for name in products))
        return True

    return carried


def build_gazetteer(data: TrainingData) -> Gazetteer:
    gazetteer = Gazetteer()
    for blocker in BLOCKERS:
        gazetteer.terms[normalise_key(blocker)] = None
    value_types = _type_of_value(data)
    carried = _carried(data)

    def canonical(entity: str, value: str) -> str:
        case = _CASE_BY_TYPE.get(entity)
        return case(value) if case else value

    def add(surface: str, entity: str, value: str) -> None:
        if entity not in GAZETTEER_TYPES or not carried(entity, value):
            return
        if entity == "size" and (normalise_key(surface) in _CONTEXT_ONLY_SIZES or surface.isdigit()):
            return
        gazetteer.add(surface, entity, canonical(entity, value))

    # Canonical values first, so a catalog value always maps to itself.
    for entity, values in data.lookups.items():
        for value in values:
            add(value, entity, value)
    for surface, value in data.synonyms.items():
        kind = value_types.get(normalise_key(value))
        if kind:
            lookup_value = next(
                (v for v in data.lookups.get(kind, []) if normalise_key(v) == normalise_key(value)), value
            )
            add(surface, kind, lookup_value)
    for example in data.examples:
        for ann in example.entities:
            add(ann.text, ann.entity, ann.value)
    # Context-only sizes still normalise CRF/rule spans ("medium" -> "M").
    for surface, value in data.synonyms.items():
        if value_types.get(normalise_key(value)) == "size":
            gazetteer.canonical.setdefault("size", {})[normalise_key(surface)] = value.upper()
    for value in data.lookups.get("size", []):
        gazetteer.canonical.setdefault("size", {})[normalise_key(value)] = value.upper()
    return gazetteer
