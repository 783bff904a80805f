"""Evaluate any `NluEngine` on a Rasa YAML file.

Scores, per language ("all", "en", "zh"; an example is Chinese when it contains a CJK ideograph):

* intent: accuracy and macro-F1. Macro-F1 averages the F1 of every intent that occurs in the gold
  data (an intent the engine predicts but the file never uses costs precision of the others, it does
  not get its own zero).
* entity: micro precision/recall/F1 over (entity type, character span) per example, counted as
  multisets - as `rasa test nlu` judges entities, by where they are and what they are, not by the value
  an engine normalised them to. A span must match exactly: "under [80]" predicted as "under 80" is a
  false alarm and a miss. (Rasa counts tokens, so a half-right span earns half there and nothing here.)
* value: on the spans that match, the normalised value against the value the annotation states
  ("[红色]{"entity": "color", "value": "red"}", "[large](size:L)"), case-insensitively with whitespace
  collapsed. An annotation without a value states none - Rasa would take the text, and a file written by
  someone else ("[红色](color)") rarely uses our canonical values - so it is not compared. Reported as
  accuracy with the number compared, overall and per entity type (``None`` when nothing was compared).

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

from nlu.interface import ENTITY_TYPES, INTENTS, Entity, NluEngine, ParseResult, contains_cjk
from nlu.training_data import AnnotatedEntity, Example, load_file

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


Span = tuple[str, int, int]  # entity type, start, end (characters of the parsed text)


def _entity_counts(
    gold: Sequence[AnnotatedEntity], predicted: Sequence[Entity]
) -> tuple[Counter[str], list[tuple[AnnotatedEntity, Entity]]]:
    """Per-type tp/fp/fn of spans, and the (gold, predicted) pairs whose spans matched."""
    gold_counter = Counter((a.entity, a.start, a.end) for a in gold)
    pred_counter = Counter((e.entity, e.start, e.end) for e in predicted)
    counts: Counter[str] = Counter()
    for (entity, _, _), n in (gold_counter & pred_counter).items():
        counts[f"{entity}|tp"] += n
    for (entity, _, _), n in (pred_counter - gold_counter).items():
        counts[f"{entity}|fp"] += n
    for (entity, _, _), n in (gold_counter - pred_counter).items():
        counts[f"{entity}|fn"] += n
    unmatched = list(predicted)
    pairs = []
    for annotation in gold:
        for candidate in unmatched:
            if (candidate.entity, candidate.start, candidate.end) == (
                annotation.entity,
                annotation.start,
                annotation.end,
            ):
                pairs.append((annotation, candidate))
                unmatched.remove(candidate)
                break
    return counts, pairs


def _value_counts(pairs: Iterable[tuple[AnnotatedEntity, Entity]]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for gold, predicted in pairs:
        if gold.value_stated:
            counts[f"{gold.entity}|compared"] += 1
            counts[f"{gold.entity}|correct"] += _norm(gold.value) == _norm(predicted.value)
    return counts


def _accuracy(correct: int, compared: int) -> float | None:
    return round(correct / compared, 4) if compared else None


def _entity_scores(counts: Counter[str], values: Counter[str]) -> dict[str, Any]:
    entities = sorted({key.split("|")[0] for key in counts})
    per_entity: dict[str, dict[str, float | int | None]] = {}
    for entity in entities:
        tp, fp, fn = counts[f"{entity}|tp"], counts[f"{entity}|fp"], counts[f"{entity}|fn"]
        precision, recall, f1 = _prf(tp, fp, fn)
        compared, correct = values[f"{entity}|compared"], values[f"{entity}|correct"]
        per_entity[entity] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": tp + fn,
            "value_accuracy": _accuracy(correct, compared),
            "value_compared": compared,
        }
    tp = sum(v for k, v in counts.items() if k.endswith("|tp"))
    fp = sum(v for k, v in counts.items() if k.endswith("|fp"))
    fn = sum(v for k, v in counts.items() if k.endswith("|fn"))
    precision, recall, f1 = _prf(tp, fp, fn)
    compared = sum(v for k, v in values.items() if k.endswith("|compared"))
    correct = sum(v for k, v in values.items() if k.endswith("|correct"))
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "value": {"accuracy": _accuracy(correct, compared), "compared": compared, "correct": correct},
        "per_entity": per_entity,
    }


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
        values: Counter[str] = Counter()
        for i in indices:
            spans, matched = _entity_counts(examples[i].entities, results[i].entities)
            counts += spans
            values += _value_counts(matched)
        report[name] = {"intent": _intent_scores(pairs), "entity": _entity_scores(counts, values), "n": len(indices)}
    confusion = Counter(
        (example.intent, result.intent)
        for example, result in zip(examples, results, strict=True)
        if example.intent != result.intent
    )
    report["confusion"] = [{"gold": g, "predicted": p, "count": n} for (g, p), n in confusion.most_common(10)]
    errors = []
    for example, result in zip(examples, results, strict=True):
        gold = sorted((a.entity, a.text, a.start, a.end) for a in example.entities)
        predicted = sorted((e.entity, e.text, e.start, e.end) for e in result.entities)
        _, matched = _entity_counts(example.entities, result.entities)
        wrong_values = [
            [g.entity, g.text, g.value, p.value]
            for g, p in matched
            if g.value_stated and _norm(g.value) != _norm(p.value)
        ]
        spans_differ = [(g[0], g[2], g[3]) for g in gold] != [(p[0], p[2], p[3]) for p in predicted]
        if example.intent != result.intent or spans_differ or wrong_values:
            errors.append(
                {
                    "text": example.text,
                    "gold_intent": example.intent,
                    "predicted_intent": result.intent,
                    "confidence": round(result.confidence, 4),
                    "gold_entities": [list(g) for g in gold],
                    "predicted_entities": [list(p) for p in predicted],
                    "wrong_values": wrong_values,
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
