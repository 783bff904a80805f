"""K-fold cross-validation of the embedded engine on the training data.

This is how the engine and its data are tuned without touching the held-out files: every example of
`nlu/data/*.yml` is parsed once by a model trained on the other folds (gazetteer, intent model and CRF
all rebuilt from those folds; lookups and synonym blocks are kept, the synonyms implied by annotations
come from the training folds only). Folds are stratified by intent and language, so each holds about the
same share of every intent in English and in Chinese. The report has the shape of `nlu.evaluate.score`,
plus ``acting``: the confidence threshold and top-two margin below which the bot should ask rather than
act (`choose_threshold`), chosen on the same out-of-fold predictions, and ``by_file``: the scores of each
data file's examples on their own (so a file such as en_outside.yml, brands the shop does not carry, is
tracked apart from the requests about the catalog).
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


#: How much worse acting on a misunderstanding is than asking a question that was not needed: a wrong
#: action shows the wrong thing (or starts the wrong flow) and the shopper must notice and undo it; a
#: question costs one tap. Four to one is a judgement, stated so the threshold can be re-derived.
WRONG_ACTION_COST = 4.0
THRESHOLDS = tuple(t / 100 for t in range(30, 96, 5))
MARGINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)


def choose_threshold(
    examples: Sequence[Example], predictions: Sequence[ParseResult], wrong_cost: float = WRONG_ACTION_COST
) -> dict[str, Any]:
    """The (confidence, margin) pair with the lowest cost over the predictions: the bot acts when the top
    intent's confidence is at least ``confidence`` and beats the runner-up by ``margin``, else asks.
    Cost = wrong_cost x (acted, but wrong) + 1 x (asked, though the top intent was right)."""
    best: dict[str, Any] | None = None
    total = len(examples)
    for threshold in THRESHOLDS:
        for margin in MARGINS:
            wrong = needless = acted = 0
            for example, parse in zip(examples, predictions, strict=True):
                runner_up = parse.intent_ranking[1][1] if len(parse.intent_ranking) > 1 else 0.0
                act = parse.confidence >= threshold and parse.confidence - runner_up >= margin
                right = parse.intent == example.intent
                acted += act
                wrong += act and not right
                needless += (not act) and right
            cost = wrong_cost * wrong + needless
            if best is None or cost < best["cost"]:
                best = {
                    "confidence": threshold,
                    "margin": margin,
                    "cost": cost,
                    "acted": round(acted / total, 4) if total else 0.0,
                    "error_when_acting": round(wrong / acted, 4) if acted else 0.0,
                    "asked": round(1 - acted / total, 4) if total else 0.0,
                    "wrong_cost": wrong_cost,
                }
    assert best is not None
    return best


def out_of_fold_predictions(
    data: TrainingData,
    k: int = 5,
    seed: int = 0,
    trainer: Trainer = train_model_from,
    progress: Callable[[int, int], None] | None = None,
) -> list[ParseResult]:
    """Each example parsed by a model trained on the other folds, in the order of ``data.examples``."""
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
    return results


def scores_by_file(examples: Sequence[Example], predictions: Sequence[ParseResult]) -> dict[str, Any]:
    """Per source file: its number of examples, intent macro-F1 and entity span scores (overall, en, zh)."""
    indices: dict[str, list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        indices[example.source or "?"].append(i)
    by_file: dict[str, Any] = {}
    for name in sorted(indices):
        part = score([examples[i] for i in indices[name]], [predictions[i] for i in indices[name]])
        by_file[name] = {
            lang: {"n": part[lang]["n"], "intent": part[lang]["intent"], "entity": part[lang]["entity"]}
            for lang in ("all", "en", "zh")
        }
    return by_file


def cross_validate(
    data: TrainingData,
    k: int = 5,
    seed: int = 0,
    trainer: Trainer = train_model_from,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Scores of out-of-fold predictions for every example of `data` (see the module docstring)."""
    results = out_of_fold_predictions(data, k, seed, trainer, progress)
    report = score(data.examples, results)
    report["acting"] = choose_threshold(data.examples, results)
    report["by_file"] = scores_by_file(data.examples, results)
    report["folds"] = k
    report["seed"] = seed
    return report


def cross_validate_directory(data_dir: Path = DEFAULT_DATA_DIR, k: int = 5, seed: int = 0) -> dict[str, Any]:
    return cross_validate(load_training_data(data_dir), k, seed)
