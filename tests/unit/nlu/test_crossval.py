"""Cross-validation: every training example is scored once, by a model that never saw it."""

from __future__ import annotations

from collections import Counter

from nlu.crossval import choose_threshold, cross_validate, stratified_folds
from nlu.embedded.model import EmbeddedModel, train_model_from
from nlu.interface import ParseResult, contains_cjk
from nlu.training_data import Example, TrainingData, load_text

SMALL = """
version: "3.1"
nlu:
- synonym: red
  examples: |
    - scarlet
- lookup: color
  examples: |
    - red
    - blue
- intent: greet
  examples: |
    - hi
    - hello
    - hey there
    - good morning
    - 你好
    - 您好
- intent: search_product
  examples: |
    - show me [red](color) shoes
    - any [blue](color) jackets
    - do you have [crimson]{"entity": "color", "value": "red"} hats
    - i want [blue](color) socks
    - 有[红色]{"entity": "color", "value": "red"}的鞋吗
    - 找[蓝色]{"entity": "color", "value": "blue"}的外套
"""


def test_folds_are_disjoint_cover_every_example_and_share_each_intent_and_language() -> None:
    data = load_text(SMALL)
    folds = stratified_folds(data.examples, 2, seed=3)
    flat = sorted(i for fold in folds for i in fold)
    assert flat == list(range(len(data.examples)))
    for fold in folds:
        groups = Counter((data.examples[i].intent, contains_cjk(data.examples[i].text)) for i in fold)
        assert groups == Counter({("greet", False): 2, ("greet", True): 1, ("search_product", False): 2,
                                  ("search_product", True): 1})  # fmt: skip
    assert folds == stratified_folds(data.examples, 2, seed=3)  # the seed makes folds repeatable


def test_a_fold_keeps_synonym_blocks_but_not_the_synonyms_of_held_out_annotations() -> None:
    data = load_text(SMALL)
    assert data.synonyms["crimson"] == "red" and data.synonyms["红色"] == "red"
    without = data.with_examples(e for e in data.examples if "crimson" not in e.text)
    assert "crimson" not in without.synonyms  # only the held-out example said crimson means red
    assert without.synonyms["scarlet"] == "red"  # a synonym block is data of its own, always kept
    assert without.synonyms["红色"] == "red"
    assert without.lookups == data.lookups
    assert len(without.examples) == len(data.examples) - 1


def test_each_example_is_parsed_by_a_model_trained_without_it() -> None:
    data = load_text(SMALL)
    seen_in_training: list[set[str]] = []

    def trainer(fold: TrainingData) -> EmbeddedModel:
        seen_in_training.append({e.text for e in fold.examples})
        return train_model_from(fold)

    report = cross_validate(data, k=3, seed=0, trainer=trainer)
    assert len(seen_in_training) == 3
    for example in data.examples:
        assert sum(example.text not in seen for seen in seen_in_training) == 1
    assert report["all"]["n"] == len(data.examples) == report["en"]["n"] + report["zh"]["n"]
    assert 0.0 <= report["all"]["intent"]["macro_f1"] <= 1.0
    assert report["folds"] == 3


def test_too_few_folds_is_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="at least 2"):
        stratified_folds([Example("hi", "greet")], 1)


def _guess(text: str, intent: str, confidence: float, runner_up: float) -> ParseResult:
    return ParseResult(text, intent, confidence, (), "en", ((intent, confidence), ("other", runner_up)))


def test_the_acting_threshold_asks_where_guesses_are_wrong_and_acts_where_they_are_right() -> None:
    examples = [Example(f"m{i}", "greet", ()) for i in range(10)]
    # Confident answers are right; the two at 0.5 are wrong: the threshold lands between them.
    predictions = [_guess(f"m{i}", "greet", 0.95, 0.01) for i in range(8)]
    predictions += [_guess("m8", "thanks", 0.5, 0.4), _guess("m9", "thanks", 0.52, 0.3)]
    chosen = choose_threshold(examples, predictions)
    acts = [p.confidence >= chosen["confidence"] and p.confidence - p.intent_ranking[1][1] >= chosen["margin"]
            for p in predictions]  # fmt: skip
    assert acts == [True] * 8 + [False, False]
    assert (chosen["acted"], chosen["error_when_acting"], chosen["asked"]) == (0.8, 0.0, 0.2)


def test_a_wrong_action_costs_more_than_a_question() -> None:
    examples = [Example(f"m{i}", "greet", ()) for i in range(5)]
    # One wrong guess at 0.6 among four right ones at 0.6: asking all five costs 4, acting on all costs 4 x 1.
    predictions = [_guess(f"m{i}", "greet", 0.6, 0.1) for i in range(4)] + [_guess("m4", "thanks", 0.6, 0.1)]
    assert choose_threshold(examples, predictions, wrong_cost=5.0)["acted"] == 0.0
    assert choose_threshold(examples, predictions, wrong_cost=2.0)["acted"] == 1.0


OUTSIDE = """
version: "3.1"
nlu:
- intent: search_product
  examples: |
    - do you have [Nike](brand) shoes
    - any [Logitech](brand) [mouse](product)?
    - 有没有[小米](brand)的[充电宝]{"entity": "product", "value": "power bank"}
"""


def test_each_data_file_is_scored_on_its_own_too(write_yaml) -> None:
    from nlu.training_data import load_files

    data = load_files([write_yaml(SMALL, "en.yml"), write_yaml(OUTSIDE, "en_outside.yml")])
    report = cross_validate(data, k=2, seed=0)
    by_file = report["by_file"]
    assert set(by_file) == {"en.yml", "en_outside.yml"}
    assert by_file["en_outside.yml"]["all"]["n"] == 3 and by_file["en_outside.yml"]["zh"]["n"] == 1
    assert by_file["en.yml"]["all"]["n"] + by_file["en_outside.yml"]["all"]["n"] == report["all"]["n"]
    brand = by_file["en_outside.yml"]["all"]["entity"]["per_entity"]["brand"]
    assert brand["support"] == 3 and 0.0 <= brand["f1"] <= 1.0  # scored by span, like the whole report
