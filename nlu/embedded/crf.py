"""A linear-chain CRF (python-crfsuite) that tags entity spans the dictionary and the rules miss:
misspellings ("hoddie"), unseen word orders, and brands and products the shop does not carry ("Nike
sneakers", "a Logitech mouse", "小米的充电宝"). A colour, size or category span is only kept when the
gazetteer can normalise it to a catalog value; a brand or product span is kept either way (the bot tells
the shopper we don't carry it), which is why the features describe a word's shape and neighbours and
not only whether the dictionary knows it.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
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


#: A word (or Chinese character) seen fewer times than this in the training texts is "rare". Requests are
#: made of a few hundred common words and characters; a name the shop does not carry ("Asics", 耐克) is
#: made of rare ones - the one clue to an unseen brand that does not depend on knowing it.
COMMON_COUNT = 3


def common_words(examples: Iterable[Example]) -> frozenset[str]:
    counts: Counter[str] = Counter(t.text.casefold() for e in examples for t in tokenize(e.text))
    return frozenset(word for word, n in counts.items() if n >= COMMON_COUNT)


def token_features(
    text: str, tokens: list[Token], gazetteer: Gazetteer, common: frozenset[str] = frozenset()
) -> list[dict[str, str | float]]:
    gaz_tags = ["O"] * len(tokens)
    for first, last, entity, _ in gazetteer.match(text, tokens):
        gaz_tags[first] = "B-" + entity
        for k in range(first + 1, last):
            gaz_tags[k] = "I-" + entity
    words = [t.text.casefold() for t in tokens]
    shapes = [_shape(t.text) for t in tokens]
    rare = ["R" if common and w not in common and any(ch.isalpha() for ch in w) else "C" for w in words]
    chinese = any(t.is_cjk for t in tokens)
    features: list[dict[str, str | float]] = []
    for i, token in enumerate(tokens):
        word = words[i]
        feats: dict[str, str | float] = {
            "bias": 1.0,
            "w": word,
            "shape": shapes[i],
            "gaz": gaz_tags[i],
            "cjk": float(token.is_cjk),
            "rare": rare[i] + gaz_tags[i][:1],
        }
        if not token.is_cjk and len(word) > 3:
            feats["p3"] = word[:3]
            feats["s3"] = word[-3:]
        if not token.is_cjk and any(ch.isalpha() for ch in word) and any(ch.isdigit() for ch in word):
            feats["alnum"] = 1.0  # model names: "wh-1000xm5", "g502"
        if chinese and not token.is_cjk and token.text[:1].isalpha():
            feats["latin_in_zh"] = 1.0  # "Nike的鞋", "iPhone手机壳": a Latin word in Chinese is a name
        if i > 0:
            feats["-w"] = words[i - 1]
            feats["-gaz"] = gaz_tags[i - 1]
            feats["-shape"] = shapes[i - 1]
            feats["-rare"] = rare[i - 1] + rare[i]
            if token.is_cjk and tokens[i - 1].is_cjk:
                feats["-ww"] = words[i - 1] + word  # Chinese words are character pairs more often than not
            if i > 1:
                feats["-2w"] = words[i - 2]
        else:
            feats["BOS"] = 1.0
        if i + 1 < len(tokens):
            feats["+w"] = words[i + 1]
            feats["+gaz"] = gaz_tags[i + 1]
            feats["+shape"] = shapes[i + 1]
            feats["rare+"] = rare[i] + rare[i + 1]
            feats["rare+gaz"] = rare[i] + gaz_tags[i + 1]  # 耐克的[鞋]: a rare name, then a known type
            if token.is_cjk and tokens[i + 1].is_cjk:
                feats["ww+"] = word + words[i + 1]
            if i + 2 < len(tokens):
                feats["+2w"] = words[i + 2]
        else:
            feats["EOS"] = 1.0
        if i > 0 and i + 1 < len(tokens):
            feats["-w+w"] = words[i - 1] + "|" + words[i + 1]
        if shapes[i] == "T" and i > 0:
            feats["cap_mid"] = 1.0  # a capital inside a sentence: a name, more often than not
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


def train_crf(examples: Iterable[Example], gazetteer: Gazetteer, common: frozenset[str] = frozenset()) -> bytes:
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for example in examples:
        tokens = tokenize(example.text)
        if tokens:
            trainer.append(token_features(example.text, tokens, gazetteer, common), bio_labels(example, tokens))
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
    def __init__(self, model: bytes, common: frozenset[str] = frozenset()) -> None:
        import pycrfsuite

        self._common = common
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(model)

    def spans(self, text: str, tokens: list[Token], gazetteer: Gazetteer) -> list[tuple[int, int, str]]:
        """(start char, end char, entity) for every tagged span."""
        if not tokens:
            return []
        labels = self._tagger.tag(token_features(text, tokens, gazetteer, self._common))
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
