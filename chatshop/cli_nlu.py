"""`chatshop nlu ...`: train the embedded model, evaluate an engine, export catalog lookup tables."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

nlu_app = typer.Typer(
    help="Language understanding: train, evaluate, cross-validate, export lookup tables.", no_args_is_help=True
)

DEFAULT_CACHE_DIR = Path("var/nlu")
DEFAULT_HELDOUT = Path(__file__).resolve().parent.parent / "nlu" / "data" / "test" / "heldout.yml"


@nlu_app.command("train")
def train(
    cache_dir: Path = typer.Option(DEFAULT_CACHE_DIR, help="Where the model cache lives."),
    force: bool = typer.Option(False, help="Retrain even when a cached model matches the data."),
) -> None:
    """Train (or load from cache) the embedded model."""
    from nlu.embedded.model import cache_path, data_hash, load_or_train

    path = cache_path(cache_dir, data_hash())
    if force and path.exists():
        path.unlink()
    cached = path.exists()
    model = load_or_train(cache_dir)
    how = "loaded from cache" if cached else f"trained in {model.train_seconds:.1f} s"
    typer.echo(f"embedded NLU model {model.data_hash} {how}: {path}")


def _accuracy(accuracy: float | None, compared: int) -> str:
    return "-" if accuracy is None else f"{accuracy:.4f} ({compared})"


def _print_report(report: dict[str, Any], console: Console) -> None:
    summary = Table(title="NLU evaluation")
    columns = ("set", "n", "intent acc", "intent macro-F1", "span P", "span R", "span F1", "value acc")
    for column in columns:
        summary.add_column(column, justify="right" if column != "set" else "left")
    for name in ("all", "en", "zh"):
        part = report[name]
        value = part["entity"]["value"]  # how many were compared: in --json and the per-entity table
        summary.add_row(
            name,
            str(part["n"]),
            f"{part['intent']['accuracy']:.4f}",
            f"{part['intent']['macro_f1']:.4f}",
            f"{part['entity']['precision']:.4f}",
            f"{part['entity']['recall']:.4f}",
            f"{part['entity']['f1']:.4f}",
            "-" if value["accuracy"] is None else f"{value['accuracy']:.4f}",
        )
    console.print(summary)
    per_intent = Table(title="Per intent (all)")
    for column in ("intent", "precision", "recall", "f1", "support"):
        per_intent.add_column(column)
    for name, values in report["all"]["intent"]["per_intent"].items():
        per_intent.add_row(name, *(str(values[k]) for k in ("precision", "recall", "f1", "support")))
    console.print(per_intent)
    per_entity = Table(title="Per entity (all): span = type + text span; value = stated value")
    for column in ("entity", "span P", "span R", "span F1", "support", "value acc"):
        per_entity.add_column(column)
    for name, values in report["all"]["entity"]["per_entity"].items():
        per_entity.add_row(
            name,
            *(str(values[k]) for k in ("precision", "recall", "f1", "support")),
            _accuracy(values["value_accuracy"], values["value_compared"]),
        )
    console.print(per_entity)
    if report["confusion"]:
        confusion = Table(title="Most confused intents")
        for column in ("gold", "predicted", "count"):
            confusion.add_column(column)
        for row in report["confusion"]:
            confusion.add_row(row["gold"], row["predicted"], str(row["count"]))
        console.print(confusion)
    if report.get("by_file"):
        by_file = Table(title="By data file (cross-validation): intent macro-F1 and entity span F1")
        for column in ("file", "n", "intent", "entities", "brand", "product"):
            by_file.add_column(column, justify="left" if column == "file" else "right")
        for name, part in report["by_file"].items():
            per = part["all"]["entity"]["per_entity"]
            by_file.add_row(
                name,
                str(part["all"]["n"]),
                f"{part['all']['intent']['macro_f1']:.4f}",
                f"{part['all']['entity']['f1']:.4f}",
                *(f"{per[e]['f1']:.4f}" if e in per else "-" for e in ("brand", "product")),
            )
        console.print(by_file)
    unknown = report["unknown"]
    if unknown["intents"] or unknown["entities"]:
        console.print(f"[yellow]unknown intents {unknown['intents']}, entities {unknown['entities']}[/yellow]")


async def _evaluate(data: Path, engine_name: str, rasa_url: str | None, cache_dir: Path) -> dict[str, Any]:
    from nlu.embedded import EmbeddedEngine
    from nlu.evaluate import evaluate, load_examples
    from nlu.rasa_client import RASA_URL_ENV, RasaEngine

    examples, problems = load_examples(data)
    if engine_name == "rasa":
        # No fallback: we are measuring Rasa, a silent fallback would measure the embedded engine.
        url = rasa_url or os.environ.get(RASA_URL_ENV) or "http://127.0.0.1:5005"
        async with RasaEngine(url, fallback=None, timeout=10.0) as rasa:
            report = await evaluate(rasa, examples, concurrency=4)
            report["rasa_fallbacks"] = rasa.fallbacks
    else:
        report = await evaluate(EmbeddedEngine.load(cache_dir=cache_dir), examples)
    report["data"] = str(data)
    report["engine"] = engine_name
    report["load_problems"] = problems
    return report


@nlu_app.command("evaluate")
def evaluate_command(
    data: Path = typer.Option(DEFAULT_HELDOUT, "--data", help="Rasa YAML file with annotated examples."),
    engine: str = typer.Option("embedded", "--engine", help="embedded | rasa"),
    rasa_url: str | None = typer.Option(None, "--rasa-url", help="Rasa server (default $CHATSHOP_RASA_URL)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
    cache_dir: Path = typer.Option(DEFAULT_CACHE_DIR, help="Embedded model cache."),
) -> None:
    """Score an engine on a YAML file: intent accuracy/macro-F1 and entity P/R/F1, overall, en and zh."""
    if engine not in ("embedded", "rasa"):
        raise typer.BadParameter("engine must be 'embedded' or 'rasa'", param_hint="--engine")
    if not data.is_file():
        raise typer.BadParameter(f"{data} is not a file", param_hint="--data")
    report = asyncio.run(_evaluate(data, engine, rasa_url, cache_dir))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
    else:
        console = Console()
        _print_report(report, console)
        if report["load_problems"]:
            console.print(f"[yellow]{len(report['load_problems'])} problems reading {data}[/yellow]")
        if report.get("rasa_fallbacks"):
            console.print(f"[red]{report['rasa_fallbacks']} requests to Rasa failed (scored as out_of_scope)[/red]")


@nlu_app.command("cross-validate")
def cross_validate_command(
    folds: int = typer.Option(5, "--folds", min=2, help="Number of folds."),
    seed: int = typer.Option(0, "--seed", help="Shuffling seed of the stratified folds."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
) -> None:
    """Score the embedded engine by k-fold cross-validation on the training data (never the held-out files):
    how data and model changes are chosen."""
    from rich.progress import Progress

    from nlu.crossval import cross_validate
    from nlu.embedded.model import DEFAULT_DATA_DIR
    from nlu.training_data import load_training_data

    data = load_training_data(DEFAULT_DATA_DIR)
    with Progress(transient=True, disable=as_json) as progress:
        task = progress.add_task(f"{folds}-fold cross-validation", total=folds)
        report = cross_validate(data, folds, seed, progress=lambda done, _: progress.update(task, completed=done))
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False))
    else:
        _print_report(report, Console())


@nlu_app.command("export-lookups")
def export_lookups(
    out: Path = typer.Option(Path(__file__).resolve().parent.parent / "nlu" / "data" / "lookups", "--out"),
) -> None:
    """Write lookup tables (products, brands, categories, colours, sizes) from the live catalog."""
    from nlu.lookups import write_lookup_tables

    try:
        # The catalog side owns this function; imported lazily so `nlu` never depends on it.
        from chatshop.vocabulary import load_vocabulary
    except ImportError as exc:
        typer.echo(f"cannot read the catalog vocabulary: {exc}", err=True)
        raise typer.Exit(1) from exc

    vocabulary = asyncio.run(load_vocabulary())
    for path in write_lookup_tables(vocabulary, out):
        typer.echo(str(path))
    typer.echo("lookup tables written; the embedded model retrains on next use (the data hash changed)")
