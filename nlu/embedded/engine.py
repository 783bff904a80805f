"""The embedded NLU engine: no server, trained from nlu/data at first use, cached on disk."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from nlu.embedded.crf import CrfTagger
from nlu.embedded.gazetteer import GAZETTEER_TYPES, OPEN_TYPES
from nlu.embedded.model import DEFAULT_DATA_DIR, EmbeddedModel, load_or_train
from nlu.embedded.rules import SHOPPING, Span, high_priority_spans, low_priority_spans
from nlu.embedded.tokens import Token, tokenize
from nlu.interface import (
    OUT_OF_SCOPE,
    Entity,
    ParseResult,
    clean_text,
    detect_language,
    looks_like_code,
    out_of_scope_result,
)

log = logging.getLogger(__name__)

#: Intents whose messages carry no entities worth acting on ("yes that one", "thanks, bye").
NO_ENTITY_INTENTS = frozenset({"greet", "goodbye", "thanks", "affirm", "deny", OUT_OF_SCOPE})
RANKING_SIZE = 10


#: A name never spans a clause: "a present for my dad, maybe headphones" names no brand "dad, maybe".
_CLAUSE_BREAKS = frozenset(',，。!！?？;；:：()（）"“”')


#: Pointing words the CRF took for a name in cross-validation ("exchange these shoes", 那种袜子).
_NOT_NAMES = frozenset(
    {"this", "that", "these", "those", "some", "any", "my", "your", "the", "a", "an", "one", "ones"}
    | {"这", "那", "这种", "那种", "这个", "那个", "这款", "那款", "哪种", "什么"}
)


def _outside_value(surface: str) -> str | None:
    """The value of a brand or product the catalog does not know: the shopper's words, trimmed; None for
    what cannot be a name (one character such as 搜 "search", a span across punctuation, "these")."""
    value = " ".join(surface.split()).strip(" .'-")
    if len(value) < 2 or not value[0].isalnum() or any(ch in _CLAUSE_BREAKS for ch in value):
        return None
    return None if value.casefold() in _NOT_NAMES else value


class EmbeddedEngine:
    """`NluEngine` backed by an in-process model. `parse` is CPU-only and sub-millisecond, so it runs
    inline in the event loop; `parse_sync` is there for callers without one."""

    def __init__(self, model: EmbeddedModel) -> None:
        self.model = model
        self._crf = CrfTagger(model.crf, model.common_words)
        self._classes = model.intent.classes
        self._lock = threading.Lock()  # crfsuite's tagger is not thread-safe

    @classmethod
    def load(cls, cache_dir: Path | None = None, data_dir: Path = DEFAULT_DATA_DIR) -> EmbeddedEngine:
        return cls(load_or_train(cache_dir, data_dir))

    async def parse(self, text: str, locale: str | None = None) -> ParseResult:
        return self.parse_sync(text, locale)

    def parse_sync(self, text: str, locale: str | None = None) -> ParseResult:
        try:
            return self._parse(text, locale)
        except Exception:  # the shop must keep talking whatever the input
            log.exception("embedded NLU failed on input of length %d", len(text) if isinstance(text, str) else -1)
            cleaned = clean_text(text)
            return out_of_scope_result(cleaned, detect_language(cleaned, locale))

    def _parse(self, text: str, locale: str | None) -> ParseResult:
        cleaned = clean_text(text)
        language = detect_language(cleaned, locale)
        if not any(ch.isalnum() for ch in cleaned) or looks_like_code(cleaned):
            return out_of_scope_result(cleaned, language)
        tokens = tokenize(cleaned)
        matches = self.model.gazetteer.match(cleaned, tokens)
        dictionary = [(tokens[a].start, tokens[b - 1].end, entity) for a, b, entity, _ in matches]
        with self._lock:
            tagged = self._crf.spans(cleaned, tokens, self.model.gazetteer)
        # Brands and products the dictionary does not know are masked like the ones it knows (the model
        # was trained so), whatever the intent turns out to be: "Nike sneakers" reads "<brand> sneakers".
        masked = dictionary + [
            (start, end, entity)
            for start, end, entity in tagged
            if entity in OPEN_TYPES and all(end <= s or start >= e for s, e, _ in dictionary)
        ]
        probs, known = self.model.intent.predict(cleaned, sorted(masked))
        if known == 0:
            return out_of_scope_result(cleaned, language)
        order = probs.argsort()[::-1][:RANKING_SIZE]
        ranking = tuple((self._classes[i], round(float(probs[i]), 4)) for i in order)
        intent, confidence = ranking[0]
        entities = () if intent in NO_ENTITY_INTENTS else self._entities(cleaned, intent, tokens, matches, tagged)
        return ParseResult(cleaned, intent, confidence, entities, language, ranking)

    def _entities(
        self,
        text: str,
        intent: str,
        tokens: list[Token],
        matches: list[tuple[int, int, str, str]],
        tagged: list[tuple[int, int, str]],
    ) -> tuple[Entity, ...]:
        model = self.model
        chosen: list[Span] = []

        def free(start: int, end: int) -> bool:
            return all(end <= s.start or start >= s.end for s in chosen)

        def take(spans: list[Span]) -> None:
            # Longer spans first: "Stride Running Shoes" beats "Stride".
            for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
                if free(span.start, span.end):
                    chosen.append(span)

        take(high_priority_spans(text, intent, model.known_codes))
        gazetteer_spans = [
            Span(tokens[first].start, tokens[last - 1].end, entity, value) for first, last, entity, value in matches
        ]
        take(gazetteer_spans)
        take(low_priority_spans(text, intent))
        crf_spans = []
        for start, end, entity in tagged:
            if entity in GAZETTEER_TYPES and free(start, end):
                value = model.gazetteer.normalise(entity, text[start:end])
                if value is None and entity in OPEN_TYPES and intent in SHOPPING:
                    # A brand or product we don't carry, kept as written (only in a shopping request:
                    # "do you take Apple Pay" names no product) so the bot can say we don't carry it.
                    value = _outside_value(text[start:end])
                if value is not None:
                    crf_spans.append(Span(start, end, entity, value))
        take(crf_spans)
        chosen.sort(key=lambda s: s.start)
        return tuple(Entity(s.entity, s.value, s.start, s.end, text[s.start : s.end]) for s in chosen)
