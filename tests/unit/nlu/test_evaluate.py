"""Evaluation on a tiny file whose scores were computed by hand (see each test's arithmetic)."""

from __future__ import annotations

import pytest

from nlu.evaluate import evaluate, load_examples
from nlu.interface import Entity, ParseResult

TINY = """
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hi
    - 你好
- intent: order_status
  examples: |
    - where is order [#1042]{"entity": "order_id", "value": "1042"}
    - 订单[2210](order_id)到哪了
- intent: search_product
  examples: |
    - [red](color) [shoes](category) under [80](max_price)
- intent: dance
  examples: |
    - let's [tango](dance_style)
"""

# What a fake engine answers for each text.
ANSWERS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "hi": ("greet", []),
    "你好": ("greet", []),
    "where is order #1042": ("order_status", [("order_id", "1042")]),
    "订单2210到哪了": ("greet", [("order_id", "2210"), ("color", "red")]),  # wrong intent, one extra entity
    "red shoes under 80": ("search_product", [("color", "RED"), ("category", "bags")]),  # case-insensitive
    "let's tango": ("out_of_scope", []),
}


class FakeEngine:
    async def parse(self, text: str, locale: str | None = None) -> ParseResult:
        intent, found = ANSWERS[text]
        entities = tuple(Entity(e, v, 0, 0, v) for e, v in found)
        return ParseResult(text, intent, 0.9, entities, "en", ((intent, 0.9),))


@pytest.fixture
async def report(write_yaml) -> dict:
    examples, problems = load_examples(write_yaml(TINY))
    assert problems == []
    return await evaluate(FakeEngine(), examples)


async def test_intent_accuracy_and_macro_f1_match_the_hand_computation(report: dict) -> None:
    # 6 examples, 4 right (hi, 你好, where is order, red shoes): accuracy 4/6.
    assert report["all"]["intent"]["accuracy"] == pytest.approx(0.6667, abs=1e-4)
    per = report["all"]["intent"]["per_intent"]
    # greet: predicted 3 times, 2 right -> P 2/3, R 1, F1 0.8
    assert per["greet"] == {"precision": 0.6667, "recall": 1.0, "f1": 0.8, "support": 2}
    # order_status: P 1, R 1/2, F1 2/3
    assert per["order_status"]["f1"] == pytest.approx(0.6667, abs=1e-4)
    assert per["search_product"]["f1"] == 1.0
    assert per["dance"]["f1"] == 0.0  # an intent the engine cannot know counts as an error
    # macro over the 4 gold intents: (0.8 + 0.6667 + 1 + 0) / 4
    assert report["all"]["intent"]["macro_f1"] == pytest.approx(0.6167, abs=1e-4)


async def test_entity_scores_compare_type_and_normalised_value(report: dict) -> None:
    # gold: order_id 1042, order_id 2210, color red, category shoes, max_price 80, dance_style tango = 6
    # predicted: order_id 1042 (tp), order_id 2210 (tp), color red (fp, not in that example),
    #            color RED (tp, case-insensitive), category bags (fp)            = 5, tp 3
    entity = report["all"]["entity"]
    assert entity["precision"] == pytest.approx(3 / 5, abs=1e-4)
    assert entity["recall"] == pytest.approx(3 / 6, abs=1e-4)
    assert entity["f1"] == pytest.approx(2 * 0.6 * 0.5 / 1.1, abs=1e-4)
    assert entity["per_entity"]["order_id"]["f1"] == 1.0
    assert entity["per_entity"]["dance_style"]["recall"] == 0.0


async def test_languages_are_split_by_cjk_characters(report: dict) -> None:
    assert report["zh"]["n"] == 2
    assert report["en"]["n"] == 4
    # zh: 你好 right, 订单… wrong -> accuracy 0.5; greet P 1/2 R 1 F1 2/3, order_status F1 0 -> macro 1/3
    assert report["zh"]["intent"]["accuracy"] == 0.5
    assert report["zh"]["intent"]["macro_f1"] == pytest.approx(0.3333, abs=1e-4)
    # zh entities: gold order_id 2210; predicted order_id 2210 + color red -> P 1/2, R 1
    assert report["zh"]["entity"]["precision"] == 0.5
    assert report["zh"]["entity"]["recall"] == 1.0


async def test_confusions_and_unknown_labels_are_summarised(report: dict) -> None:
    pairs = {(c["gold"], c["predicted"]) for c in report["confusion"]}
    assert pairs == {("order_status", "greet"), ("dance", "out_of_scope")}
    assert report["unknown"] == {"intents": ["dance"], "entities": ["dance_style"]}
    assert report["n_errors"] == 3  # 订单…, red shoes (entities), tango


async def test_a_broken_file_yields_problems_and_an_empty_report(write_yaml) -> None:
    examples, problems = load_examples(write_yaml("nlu: [oops"))
    assert examples == [] and problems
    report = await evaluate(FakeEngine(), examples)
    assert report["all"]["n"] == 0
    assert report["all"]["intent"]["macro_f1"] == 0.0
