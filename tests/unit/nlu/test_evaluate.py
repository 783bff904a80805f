"""Evaluation on a tiny file whose scores were computed by hand (see each test's arithmetic).

Entities are scored by span (type + character span, as `rasa test nlu` does), and the normalised value is
compared separately, only where the annotation states one."""

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
    - 有[红色](color)的[鞋]{"entity": "category", "value": "shoes"}吗
- intent: dance
  examples: |
    - let's [tango](dance_style)
"""

# What a fake engine answers for each text: intent, [(type, value, start, end)].
ANSWERS: dict[str, tuple[str, list[tuple[str, str, int, int]]]] = {
    "hi": ("greet", []),
    "你好": ("greet", []),
    "where is order #1042": ("order_status", [("order_id", "1042", 15, 20)]),
    # wrong intent, one extra entity
    "订单2210到哪了": ("greet", [("order_id", "2210", 2, 6), ("color", "red", 0, 2)]),
    # the price with the wrong span ("under 80", annotated "80"): a miss and a false alarm whatever its value
    "red shoes under 80": (
        "search_product",
        [("color", "RED", 0, 3), ("category", "bags", 4, 9), ("max_price", "80", 10, 18)],
    ),
    # "红色" annotated without a value (as someone else's Rasa file would): the span is right, its value
    # ("red", ours) is not compared; "鞋" states "shoes" and the engine says "bags": span right, value wrong
    "有红色的鞋吗": ("search_product", [("color", "red", 1, 3), ("category", "bags", 4, 5)]),
    "let's tango": ("out_of_scope", []),
}


class FakeEngine:
    async def parse(self, text: str, locale: str | None = None) -> ParseResult:
        intent, found = ANSWERS[text]
        entities = tuple(Entity(e, v, s, end, text[s:end]) for e, v, s, end in found)
        return ParseResult(text, intent, 0.9, entities, "en", ((intent, 0.9),))


@pytest.fixture
async def report(write_yaml) -> dict:
    examples, problems = load_examples(write_yaml(TINY))
    assert problems == []
    return await evaluate(FakeEngine(), examples)


async def test_intent_accuracy_and_macro_f1_match_the_hand_computation(report: dict) -> None:
    # 7 examples, 5 right (hi, 你好, where is order, red shoes, 有红色): accuracy 5/7.
    assert report["all"]["intent"]["accuracy"] == pytest.approx(5 / 7, abs=1e-4)
    per = report["all"]["intent"]["per_intent"]
    # greet: predicted 3 times, 2 right -> P 2/3, R 1, F1 0.8
    assert per["greet"] == {"precision": 0.6667, "recall": 1.0, "f1": 0.8, "support": 2}
    # order_status: P 1, R 1/2, F1 2/3
    assert per["order_status"]["f1"] == pytest.approx(0.6667, abs=1e-4)
    assert per["search_product"]["f1"] == 1.0
    assert per["dance"]["f1"] == 0.0  # an intent the engine cannot know counts as an error
    # macro over the 4 gold intents: (0.8 + 0.6667 + 1 + 0) / 4
    assert report["all"]["intent"]["macro_f1"] == pytest.approx(0.6167, abs=1e-4)


async def test_entities_are_scored_by_type_and_span_not_by_value(report: dict) -> None:
    # gold spans: order_id #1042, order_id 2210, color red, category shoes, max_price 80, color 红色,
    #             category 鞋, dance_style tango                                                     = 8
    # predicted:  order_id #1042 (tp), order_id 2210 (tp), color 订单 (fp), color red (tp), category shoes
    #             (tp, value "bags" not stated by the gold), max_price "under 80" (fp, and 80 is a fn),
    #             color 红色 (tp: no value in the file, ours is "red"), category 鞋 (tp)           = 8, tp 6
    entity = report["all"]["entity"]
    assert (entity["precision"], entity["recall"], entity["f1"]) == (0.75, 0.75, 0.75)
    per = entity["per_entity"]
    assert per["order_id"]["f1"] == 1.0 and per["category"]["f1"] == 1.0
    assert per["color"]["precision"] == pytest.approx(2 / 3, abs=1e-4) and per["color"]["recall"] == 1.0
    assert per["max_price"]["f1"] == 0.0 and per["max_price"]["support"] == 1
    assert per["dance_style"]["recall"] == 0.0


async def test_the_normalised_value_is_compared_separately_where_the_annotation_states_one(report: dict) -> None:
    # Stated values among the matched spans: order_id "1042" (right), category "shoes" (engine: bags).
    value = report["all"]["entity"]["value"]
    assert value == {"accuracy": 0.5, "compared": 2, "correct": 1}
    per = report["all"]["entity"]["per_entity"]
    assert (per["order_id"]["value_accuracy"], per["order_id"]["value_compared"]) == (1.0, 1)
    assert (per["category"]["value_accuracy"], per["category"]["value_compared"]) == (0.0, 1)
    assert (per["color"]["value_accuracy"], per["color"]["value_compared"]) == (None, 0)  # nothing stated


async def test_a_rasa_file_without_values_scores_correct_chinese_entities_as_correct(write_yaml) -> None:
    examples, _ = load_examples(
        write_yaml("nlu:\n- intent: search_product\n  examples: |\n    - 有[红色](color)的鞋吗\n")
    )

    class Engine:
        async def parse(self, text: str, locale: str | None = None) -> ParseResult:
            return ParseResult(text, "search_product", 0.9, (Entity("color", "red", 1, 3, "红色"),), "zh")

    report = await evaluate(Engine(), examples)
    assert report["zh"]["entity"]["f1"] == 1.0 and report["n_errors"] == 0
    assert report["zh"]["entity"]["value"] == {"accuracy": None, "compared": 0, "correct": 0}


async def test_languages_are_split_by_cjk_characters(report: dict) -> None:
    assert report["zh"]["n"] == 3
    assert report["en"]["n"] == 4
    # zh: 你好 right, 订单… wrong, 有红色 right -> accuracy 2/3;
    # greet P 1/2 R 1 F1 2/3, order_status F1 0, search_product F1 1 -> macro 5/9
    assert report["zh"]["intent"]["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert report["zh"]["intent"]["macro_f1"] == pytest.approx(5 / 9, abs=1e-4)
    # zh entities: gold order_id, color, category; predicted those + color 订单 -> P 3/4, R 1
    assert report["zh"]["entity"]["precision"] == 0.75
    assert report["zh"]["entity"]["recall"] == 1.0


async def test_confusions_errors_and_unknown_labels_are_summarised(report: dict) -> None:
    pairs = {(c["gold"], c["predicted"]) for c in report["confusion"]}
    assert pairs == {("order_status", "greet"), ("dance", "out_of_scope")}
    assert report["unknown"] == {"intents": ["dance"], "entities": ["dance_style"]}
    assert report["n_errors"] == 4  # 订单… (intent), red shoes (price span), 有红色 (a stated value), tango
    wrong_value = next(e for e in report["errors"] if e["text"] == "有红色的鞋吗")
    assert wrong_value["wrong_values"] == [["category", "鞋", "shoes", "bags"]]
    wrong_span = next(e for e in report["errors"] if e["text"] == "red shoes under 80")
    assert ["max_price", "80", 16, 18] in wrong_span["gold_entities"]
    assert ["max_price", "under 80", 10, 18] in wrong_span["predicted_entities"]


async def test_a_broken_file_yields_problems_and_an_empty_report(write_yaml) -> None:
    examples, problems = load_examples(write_yaml("nlu: [oops"))
    assert examples == [] and problems
    report = await evaluate(FakeEngine(), examples)
    assert report["all"]["n"] == 0
    assert report["all"]["intent"]["macro_f1"] == 0.0
