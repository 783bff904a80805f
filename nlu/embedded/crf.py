"""A linear-chain CRF (python-crfsuite) that tags entity spans the dictionary and the rules miss:
misspellings ("hoddie"), unseen word orders. Its spans are only kept when the gazetteer can
normalise them to a catalog value, so it adds recall without inventing values.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable

from nlu.embedded.gazetteer import GAZETTEER_TYPES, Gazetteer
from nlu.embedded.tokens import Token, tokenize
from nlu.training_data import Example


def _shape(text: str) -> str:
    if text.isdigit():
        return "d"
    if text.isupper():
        return "U"
    if text[:1].isupper():
        return "T"
    if text.isalpha() and text.isascii():
        return "l"
    return "o"


def token_features(text: str, tokens: list[Token], gazetteer: Gazetteer) -> list[dict[str, str | float]]:
    gaz_tags = ["O"] * len(tokens)
    for first, last, entity, _ in gazetteer.match(text, tokens):
        gaz_tags[first] = "B-" + entity
        for k in range(first + 1, last):
            gaz_tags[k] = "I-" + entity
    words = [t.text.casefold() for t in tokens]
    features: list[dict[str, str | float]] = []
    for i, token in enumerate(tokens):
        word = words[i]
        feats: dict[str, str | float] = {
            "bias": 1.0,
            "w": word,
            "shape": _shape(token.text),
            "gaz": gaz_tags[i],
            "cjk": float(token.is_cjk),
        }
        if not token.is_cjk and len(word) > 3:
            feats["p3"] = word[:3]
            feats["s3"] = word[-3:]
        if i > 0:
            feats["-w"] = words[i - 1]
            feats["-gaz"] = gaz_tags[i - 1]
        else:
            feats["BOS"] = 1.0
        if i + 1 < len(tokens):
            feats["+w"] = words[i + 1]
            feats["+gaz"] = gaz_tags[i + 1]
        else:
            feats["EOS"] = 1.0
        if i > 0 and i + 1 < len(tokens):
            feats["-w+w"] = words[i - 1] + "|" + words[i + 1]
        features.append(feats)
    return features


def bio_labels(example: Example, tokens: list[Token]) -> list[str]:
    labels = ["O"] * len(tokens)
    for ann in example.entities:
        if ann.entity not in GAZETTEER_TYPES:
            continue
        inside = [i for i, t in enumerate(tokens) if t.start < ann.end and t.end > ann.start]
        for n, i in enumerate(inside):
            labels[i] = ("B-" if n == 0 else "I-") + ann.entity
    return labels


def train_crf(examples: Iterable[Example], gazetteer: Gazetteer) -> bytes:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for example in examples:
        tokens = tokenize(example.text)
        if tokens:
            trainer.append(token_features(example.text, tokens, gazetteer), bio_labels(example, tokens))
    trainer.set_params({"c1": 0.05, "c2": 0.05, "max_iterations": 120, "feature.possible_transitions": True})
    fd, path = tempfile.mkstemp(suffix=".crfsuite")
    os.close(fd)
    try:
        trainer.train(path)
        with open(path, "rb") as handle:
            return handle.read()
    finally:
        os.unlink(path)


class CrfTagger:
    def __init__(self, model: bytes) -> None:
        import pycrfsuite

        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(model)

    def spans(self, text: str, tokens: list[Token], gazetteer: Gazetteer) -> list[tuple[int, int, str]]:
        """(start char, end char, entity) for every tagged span."""
        if not tokens:
            return []
        labels = self._tagger.tag(token_features(text, tokens, gazetteer))
        spans: list[tuple[int, int, str]] = []
        current: list[int] | None = None
        entity = ""
        for i, label in enumerate([*labels, "O"]):
            if current is not None and not (label.startswith("I-") and label[2:] == entity):
                spans.append((tokens[current[0]].start, tokens[current[-1]].end, entity))
                current = None
            if label.startswith("B-") or (label.startswith("I-") and current is None):
                current, entity = [i], label[2:]
            elif label.startswith("I-") and current is not None:
                current.append(i)
        return spans
