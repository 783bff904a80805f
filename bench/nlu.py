"""Benchmark the NLU engines on the held-out file.

    .venv/bin/python bench/nlu.py [--json] [--rasa-url URL] [--rounds N] [--cache-dir DIR]

Reports, for the embedded engine: parse latency p50/p99 and sequential throughput, the RSS added by
loading the (cached) model, and held-out scores. A baseline - a plain scikit-learn char n-gram TF-IDF
+ LogisticRegression intent-only model trained on the same data - is timed in the same run, on the
same texts; `ratio` = embedded p50 / baseline p50. Rasa is measured too when --rasa-url or
CHATSHOP_RASA_URL is given. Finishes in well under two minutes on a 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HELDOUT = ROOT / "nlu" / "data" / "test" / "heldout.yml"


def rss_bytes() -> int:
    """Current resident set size (Linux /proc), falling back to the peak from getrusage."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_calls(func: Any, texts: list[str], rounds: int) -> dict[str, float]:
    for text in texts[:50]:  # warm-up
        func(text)
    gc.collect()
    gc.disable()  # collections would land on random samples and inflate p99
    try:
        samples: list[float] = []
        started = time.perf_counter()
        for _ in range(rounds):
            for text in texts:
                t0 = time.perf_counter_ns()
                func(text)
                samples.append((time.perf_counter_ns() - t0) / 1e6)
        elapsed = time.perf_counter() - started
    finally:
        gc.enable()
    return {
        "p50_ms": round(statistics.median(samples), 4),
        "p99_ms": round(percentile(samples, 99), 4),
        "mean_ms": round(statistics.fmean(samples), 4),
        "throughput_per_s": round(len(samples) / elapsed, 1),
        "n": len(samples),
    }


def baseline_timings(texts: list[str], rounds: int) -> dict[str, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    from nlu.embedded.model import DEFAULT_DATA_DIR
    from nlu.training_data import load_training_data

    data = load_training_data(DEFAULT_DATA_DIR)
    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 4), sublinear_tf=True), LogisticRegression(max_iter=2000)
    )
    pipeline.fit([e.text for e in data.examples], [e.intent for e in data.examples])
    return time_calls(lambda text: pipeline.predict_proba([text]), texts, rounds)


def scores(report: dict[str, Any]) -> dict[str, Any]:
    return {
        part: {
            "intent_accuracy": report[part]["intent"]["accuracy"],
            "intent_macro_f1": report[part]["intent"]["macro_f1"],
            "entity_f1": report[part]["entity"]["f1"],  # by type and span, as `rasa test nlu`
            "entity_value_accuracy": report[part]["entity"]["value"]["accuracy"],
            "n": report[part]["n"],
        }
        for part in ("all", "en", "zh")
    }


async def rasa_figures(url: str, examples: list[Any], rounds: int) -> dict[str, Any]:
    from nlu.evaluate import evaluate
    from nlu.rasa_client import RasaEngine

    async with RasaEngine(url, fallback=None, timeout=10) as engine:
        report = await evaluate(engine, examples, concurrency=4)
        samples: list[float] = []
        started = time.perf_counter()
        for _ in range(rounds):
            for example in examples:
                t0 = time.perf_counter_ns()
                await engine.parse(example.text)
                samples.append((time.perf_counter_ns() - t0) / 1e6)
        elapsed = time.perf_counter() - started
        failures = engine.fallbacks
    return {
        "url": url,
        "p50_ms": round(statistics.median(samples), 3),
        "p99_ms": round(percentile(samples, 99), 3),
        "throughput_per_s": round(len(samples) / elapsed, 1),
        "failed_requests": failures,
        "heldout": scores(report),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rasa-url", default=os.environ.get("CHATSHOP_RASA_URL"))
    parser.add_argument("--rounds", type=int, default=5, help="passes over the held-out texts for timing")
    parser.add_argument("--cache-dir", type=Path, default=ROOT / "var" / "nlu")
    args = parser.parse_args()

    # Train (if needed) in a child process so this process measures loading only.
    subprocess.run(
        [sys.executable, "-c", f"from nlu.embedded.model import load_or_train; load_or_train({str(args.cache_dir)!r})"],
        cwd=ROOT,
        check=True,
    )
    import numpy  # noqa: F401  (imported before the RSS baseline: the app has it loaded anyway)

    from nlu.embedded import EmbeddedEngine
    from nlu.evaluate import evaluate, load_examples

    examples, _ = load_examples(HELDOUT)
    texts = [e.text for e in examples]
    gc.collect()
    rss_before = rss_bytes()
    t0 = time.perf_counter()
    engine = EmbeddedEngine.load(cache_dir=args.cache_dir)
    load_seconds = time.perf_counter() - t0
    gc.collect()
    rss_after = rss_bytes()

    embedded = time_calls(engine.parse_sync, texts, args.rounds)
    report = asyncio.run(evaluate(engine, examples))
    baseline = baseline_timings(texts, args.rounds)
    result: dict[str, Any] = {
        "heldout_examples": len(examples),
        "embedded": {
            **embedded,
            "load_seconds": round(load_seconds, 3),
            "model_rss_mb": round((rss_after - rss_before) / 2**20, 1),
            "process_rss_mb": round(rss_after / 2**20, 1),
            "heldout": scores(report),
        },
        "baseline_char_ngram_logreg": baseline,
        "ratio": round(embedded["p50_ms"] / baseline["p50_ms"], 3),
    }
    if args.rasa_url:
        result["rasa"] = asyncio.run(rasa_figures(args.rasa_url, examples, 1))

    if args.json:
        print(json.dumps(result))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"NLU benchmark ({len(examples)} held-out examples)")
    for column in (
        "engine",
        "p50 ms",
        "p99 ms",
        "parses/s",
        "intent F1 en",
        "intent F1 zh",
        "entity F1 en",
        "entity F1 zh",
    ):
        table.add_column(column, justify="right" if column != "engine" else "left")
    rows = [("embedded", result["embedded"], result["embedded"]["heldout"]), ("baseline (intent only)", baseline, None)]
    if "rasa" in result:
        rows.append(("rasa", result["rasa"], result["rasa"]["heldout"]))
    for name, timing, held in rows:
        table.add_row(
            name,
            f"{timing['p50_ms']:.3f}",
            f"{timing['p99_ms']:.3f}",
            f"{timing['throughput_per_s']:.0f}",
            *(
                [f"{held[lang]['intent_macro_f1']:.4f}" for lang in ("en", "zh")]
                + [f"{held[lang]['entity_f1']:.4f}" for lang in ("en", "zh")]
                if held
                else ["-"] * 4
            ),
        )
    console = Console()
    console.print(table)
    console.print(
        f"embedded model: load {result['embedded']['load_seconds']} s, +{result['embedded']['model_rss_mb']} MB RSS "
        f"(process {result['embedded']['process_rss_mb']} MB); ratio embedded/baseline p50 = {result['ratio']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
