"""Evaluate any `NluEngine` on a Rasa YAML file.

Scores, per language ("all", "en", "zh"; an example is Chinese when it contains a CJK ideograph):

* intent: accuracy and macro-F1. Macro-F1 averages the F1 of every intent that occurs in the gold
  data (an intent the engine predicts but the file never uses costs precision of the others, it does
  not get its own zero).
* entity: micro precision/recall/F1 over (entity type, normalised value) pairs, counted per
  example as multisets. Spans are NOT compared: "under [80]" and "[under 80]" both count when the
  value is "80". Values compare case-insensitively with whitespace collapsed ("Stride Running Shoes"
  == "stride running shoes"). A gold entity whose type the engine does not know is simply missed.

Gold intents or entity types outside `nlu.interface` are reported under "unknown" and scored like
any other (so they count as errors); nothing in a data file can make evaluation crash.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from nlu.interface import ENTITY_TYPES, INTENTS, NluEngine, ParseResult, contains_cjk
from nlu.training_data import Example, load_file

MAX_ERRORS_LISTED = 50


def load_examples(path: Path) -> tuple[list[Example], list[str]]:
    """Examples of a Rasa YAML file and the problems found while reading it."""
    data = load_file(Path(path))
    return data.examples, data.errors


def _norm(value: str) -> str:
    return " ".join(str(value).casefold().split())


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _intent_scores(pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    gold_labels = sorted({g for g, _ in pairs})
    per_intent: dict[str, dict[str, float | int]] = {}
    for label in gold_labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision, recall, f1 = _prf(tp, fp, fn)
        per_intent[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    correct = sum(1 for g, p in pairs if g == p)
    macro = sum(float(v["f1"]) for v in per_intent.values()) / len(per_intent) if per_intent else 0.0
    return {
        "accuracy": round(correct / len(pairs), 4) if pairs else 0.0,
        "macro_f1": round(macro, 4),
        "per_intent": per_intent,
    }


def _entity_counts(gold: Iterable[tuple[str, str]], predicted: Iterable[tuple[str, str]]) -> Counter[str]:
    gold_counter = Counter((e, _norm(v)) for e, v in gold)
    pred_counter = Counter((e, _norm(v)) for e, v in predicted)
    counts: Counter[str] = Counter()
    for (entity, _), n in (gold_counter & pred_counter).items():
        counts[f"{entity}|tp"] += n
    for (entity, _), n in (pred_counter - gold_counter).items():
        counts[f"{entity}|fp"] += n
    for (entity, _), n in (gold_counter - pred_counter).items():
        counts[f"{entity}|fn"] += n
    return counts


def _entity_scores(counts: Counter[str]) -> dict[str, Any]:
    entities = sorted({key.split("|")[0] for key in counts})
    per_entity: dict[str, dict[str, float | int]] = {}
    for entity in entities:
        tp, fp, fn = counts[f"{entity}|tp"], counts[f"{entity}|fp"], counts[f"{entity}|fn"]
        precision, recall, f1 = _prf(tp, fp, fn)
        per_entity[entity] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
        }
    tp = sum(v for k, v in counts.items() if k.endswith("|tp"))
    fp = sum(v for k, v in counts.items() if k.endswith("|fp"))
    fn = sum(v for k, v in counts.items() if k.endswith("|fn"))
    precision, recall, f1 = _prf(tp, fp, fn)
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4), "per_entity": per_entity}


def score(examples: Sequence[Example], results: Sequence[ParseResult]) -> dict[str, Any]:
    """Scores of already-parsed examples (results[i] is the parse of examples[i])."""
    groups: dict[str, list[int]] = {"all": [], "en": [], "zh": []}
    for i, example in enumerate(examples):
        groups["all"].append(i)
        groups["zh" if contains_cjk(example.text) else "en"].append(i)
    report: dict[str, Any] = {}
    for name, indices in groups.items():
        pairs = [(examples[i].intent, results[i].intent) for i in indices]
        counts: Counter[str] = Counter()
        for i in indices:
            counts += _entity_counts(
                ((a.entity, a.value) for a in examples[i].entities),
                ((e.entity, e.value) for e in results[i].entities),
            )
        report[name] = {"intent": _intent_scores(pairs), "entity": _entity_scores(counts), "n": len(indices)}
    confusion = Counter(
        (example.intent, result.intent)
        for example, result in zip(examples, results, strict=True)
        if example.intent != result.intent
    )
    report["confusion"] = [{"gold": g, "predicted": p, "count": n} for (g, p), n in confusion.most_common(10)]
    errors = []
    for example, result in zip(examples, results, strict=True):
        gold = sorted((a.entity, _norm(a.value)) for a in example.entities)
        predicted = sorted((e.entity, _norm(e.value)) for e in result.entities)
        if example.intent != result.intent or gold != predicted:
            errors.append(
                {
                    "text": example.text,
                    "gold_intent": example.intent,
                    "predicted_intent": result.intent,
                    "confidence": round(result.confidence, 4),
                    "gold_entities": [list(g) for g in gold],
                    "predicted_entities": [list(p) for p in predicted],
                }
            )
    report["errors"] = errors[:MAX_ERRORS_LISTED]
    report["n_errors"] = len(errors)
    report["unknown"] = {
        "intents": sorted({e.intent for e in examples} - set(INTENTS)),
        "entities": sorted({a.entity for e in examples for a in e.entities} - set(ENTITY_TYPES)),
    }
    return report


async def evaluate(engine: NluEngine, examples: Sequence[Example], concurrency: int = 8) -> dict[str, Any]:
    """Parse every example with `engine` and score the results (see the module docstring for the rules)."""
    semaphore = asyncio.Semaphore(concurrency)

    async def parse(example: Example) -> ParseResult:
        async with semaphore:
            return await engine.parse(example.text)

    started = time.perf_counter()
    results = await asyncio.gather(*(parse(e) for e in examples))
    report = score(examples, results)
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report
