"""K-fold cross-validation of the embedded engine on the training data.

This is how the engine and its data are tuned without touching the held-out files: every example of
`nlu/data/*.yml` is parsed once by a model trained on the other folds (gazetteer, intent model and CRF
all rebuilt from those folds; lookups and synonym blocks are kept, the synonyms implied by annotations
come from the training folds only). Folds are stratified by intent and language, so each holds about the
same share of every intent in English and in Chinese. The report has the shape of `nlu.evaluate.score`.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nlu.embedded.engine import EmbeddedEngine
from nlu.embedded.model import DEFAULT_DATA_DIR, EmbeddedModel, train_model_from
from nlu.evaluate import score
from nlu.interface import ParseResult, contains_cjk
from nlu.training_data import Example, TrainingData, load_training_data

Trainer = Callable[[TrainingData], EmbeddedModel]


def stratified_folds(examples: Sequence[Example], k: int, seed: int = 0) -> list[list[int]]:
    """`k` disjoint lists of example indices covering all examples; each (intent, language) group is
    shuffled with `seed` and dealt round-robin, starting where the previous group stopped."""
    if k < 2:
        raise ValueError("cross-validation needs at least 2 folds")
    groups: dict[tuple[str, bool], list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        groups[(example.intent, contains_cjk(example.text))].append(i)
    rng = random.Random(seed)
    folds: list[list[int]] = [[] for _ in range(k)]
    position = 0
    for key in sorted(groups):
        members = groups[key]
        rng.shuffle(members)
        for index in members:
            folds[position % k].append(index)
            position += 1
    return [sorted(fold) for fold in folds]


def cross_validate(
    data: TrainingData,
    k: int = 5,
    seed: int = 0,
    trainer: Trainer = train_model_from,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Scores of out-of-fold predictions for every example of `data` (see the module docstring)."""
    examples = data.examples
    predictions: list[ParseResult | None] = [None] * len(examples)
    for number, fold in enumerate(stratified_folds(examples, k, seed), start=1):
        held_out = set(fold)
        model = trainer(data.with_examples(e for i, e in enumerate(examples) if i not in held_out))
        engine = EmbeddedEngine(model)
        for i in fold:
            predictions[i] = engine.parse_sync(examples[i].text)
        if progress is not None:
            progress(number, k)
    results = [p for p in predictions if p is not None]
    assert len(results) == len(examples)  # every example sits in exactly one fold
    report = score(examples, results)
    report["folds"] = k
    report["seed"] = seed
    return report


def cross_validate_directory(data_dir: Path = DEFAULT_DATA_DIR, k: int = 5, seed: int = 0) -> dict[str, Any]:
    return cross_validate(load_training_data(data_dir), k, seed)
