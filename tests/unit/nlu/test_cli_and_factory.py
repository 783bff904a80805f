from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from chatshop.cli_nlu import nlu_app
from nlu.embedded import EmbeddedEngine
from nlu.factory import build_engine
from nlu.rasa_client import RasaEngine

TINY = """
version: "3.1"
nlu:
- intent: order_status
  examples: |
    - where is my order [#1042]{"entity": "order_id", "value": "1042"}
- intent: greet
  examples: |
    - hello there
"""


def test_build_engine_without_rasa_is_the_embedded_engine(nlu_cache_dir: Path, embedded_engine) -> None:
    assert isinstance(build_engine(None, nlu_cache_dir), EmbeddedEngine)


def test_build_engine_with_rasa_falls_back_to_the_embedded_engine(nlu_cache_dir: Path, embedded_engine) -> None:
    engine = build_engine("http://127.0.0.1:1", nlu_cache_dir, rasa_timeout=0.5)
    assert isinstance(engine, RasaEngine)
    assert isinstance(engine.fallback, EmbeddedEngine)
    assert engine.url == "http://127.0.0.1:1"


def test_cli_evaluate_prints_one_json_object(write_yaml, nlu_cache_dir: Path, embedded_engine) -> None:
    data = write_yaml(TINY)
    result = CliRunner().invoke(nlu_app, ["evaluate", "--data", str(data), "--json", "--cache-dir", str(nlu_cache_dir)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["all"]["n"] == 2
    assert report["all"]["intent"]["accuracy"] == 1.0
    assert report["all"]["entity"]["f1"] == 1.0  # the span "#1042"
    assert report["all"]["entity"]["value"] == {"accuracy": 1.0, "compared": 1, "correct": 1}  # its value 1042
    assert report["all"]["entity"]["per_entity"]["order_id"]["value_accuracy"] == 1.0
    assert set(report) >= {"all", "en", "zh", "confusion"}


def test_cli_evaluate_prints_tables(write_yaml, nlu_cache_dir: Path, embedded_engine) -> None:
    result = CliRunner().invoke(
        nlu_app, ["evaluate", "--data", str(write_yaml(TINY)), "--cache-dir", str(nlu_cache_dir)]
    )
    assert result.exit_code == 0, result.output
    assert "macro-F1" in result.output and "order_status" in result.output
    assert "span F1" in result.output and "value acc" in result.output and "1.0000 (1)" in result.output


def test_cli_evaluate_rejects_an_unknown_engine_or_missing_file(write_yaml) -> None:
    assert CliRunner().invoke(nlu_app, ["evaluate", "--engine", "gpt", "--data", str(write_yaml(TINY))]).exit_code != 0
    assert CliRunner().invoke(nlu_app, ["evaluate", "--data", "/nonexistent.yml"]).exit_code != 0


def test_cli_train_uses_the_cache(nlu_cache_dir: Path, embedded_engine) -> None:
    result = CliRunner().invoke(nlu_app, ["train", "--cache-dir", str(nlu_cache_dir)])
    assert result.exit_code == 0, result.output
    assert "loaded from cache" in result.output
