from __future__ import annotations

import re
from pathlib import Path

import pytest

from nlu.interface import INTENTS
from nlu.training_data import load_file, load_text, load_training_data, parse_annotated

DATA_DIR = Path(__file__).resolve().parents[3] / "nlu" / "data"


def test_inline_entity_in_round_brackets_keeps_the_text_as_value() -> None:
    text, entities, errors = parse_annotated("[red](color) running shoes")
    assert text == "red running shoes"
    assert [(e.entity, e.value, e.start, e.end, e.text) for e in entities] == [("color", "red", 0, 3, "red")]
    assert errors == []


def test_inline_entity_with_json_value_is_normalised() -> None:
    text, entities, _ = parse_annotated('要[红色]{"entity": "color", "value": "red"}的')
    assert text == "要红色的"
    assert [(e.entity, e.value, e.start, e.end, e.text) for e in entities] == [("color", "red", 1, 3, "红色")]


def test_legacy_entity_colon_value_syntax_is_understood() -> None:
    _, entities, _ = parse_annotated("[xs](size:XS) jackets")
    assert entities[0].value == "XS"


def test_an_annotation_says_whether_it_states_its_value() -> None:
    _, entities, _ = parse_annotated(
        '[红色](color) [大号](size:L) [鞋]{"entity": "category", "value": "shoes"} [包]{"entity": "category"}'
    )
    assert [(e.value, e.value_stated) for e in entities] == [
        ("红色", False),
        ("L", True),
        ("shoes", True),
        ("包", False),
    ]


def test_several_entities_get_offsets_in_the_plain_text() -> None:
    text, entities, _ = parse_annotated(
        '[2](quantity) [Hearth Ceramic Mug](product) under [$20]{"entity": "max_price", "value": "20"}'
    )
    assert text == "2 Hearth Ceramic Mug under $20"
    assert [text[e.start : e.end] for e in entities] == ["2", "Hearth Ceramic Mug", "$20"]


def test_broken_json_annotation_is_reported_not_raised() -> None:
    text, entities, errors = parse_annotated('[red]{"entity": color} shoes')
    assert text == "red shoes"
    assert entities == ()
    assert errors and "bad entity annotation" in errors[0]


def test_synonyms_lookups_and_regexes_are_loaded() -> None:
    data = load_text(
        """
version: "3.1"
nlu:
- intent: search_product
  examples: |
    - [红色]{"entity": "color", "value": "red"}鞋
- synonym: navy
  examples: |
    - Navy Blue
    - 藏青色
- lookup: brand
  examples: |
    - Stride
    - Pulse
- regex: order_id
  examples: |
    - \\d{4}
"""
    )
    assert data.errors == []
    assert data.synonyms["navy blue"] == "navy"
    assert data.synonyms["藏青色"] == "navy"
    assert data.synonyms["红色"] == "red"  # an annotated value is a synonym too, as in Rasa
    assert data.lookups == {"brand": ["Stride", "Pulse"]}
    assert data.regexes == {"order_id": ["\\d{4}"]}


def test_invalid_yaml_or_shapes_never_raise(write_yaml) -> None:
    assert load_text("nlu: [unclosed").errors
    assert load_text("just a string").errors
    assert load_text("nlu: 5").errors
    assert load_text("nlu:\n- 3\n- {foo: bar}\n").errors
    assert load_file(Path("/nonexistent/file.yml")).errors
    binary = write_yaml("")
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert load_file(binary).errors


def test_examples_may_be_a_yaml_list() -> None:
    data = load_text("nlu:\n- intent: greet\n  examples:\n  - hi\n  - text: hello\n")
    assert [e.text for e in data.examples] == ["hi", "hello"]


def test_shipped_training_data_has_forty_examples_per_intent_per_language() -> None:
    from collections import Counter

    from nlu.interface import INTENTS, contains_cjk

    data = load_training_data(DATA_DIR)
    assert data.errors == []
    counts = Counter((e.intent, "zh" if contains_cjk(e.text) else "en") for e in data.examples)
    for intent in INTENTS:
        assert counts[(intent, "en")] >= 40, intent
        assert counts[(intent, "zh")] >= 40, intent


@pytest.mark.parametrize("name", ["heldout.yml", "blind.yml"])
def test_heldout_files_are_not_training_data_and_share_no_example(name: str) -> None:
    def same(text: str) -> str:  # equal but for case, spaces and punctuation
        return re.sub(r"[\W_]+", "", text.casefold())

    training = {same(e.text) for e in load_training_data(DATA_DIR).examples}
    heldout = load_file(DATA_DIR / "test" / name)
    assert heldout.errors == []
    assert len(heldout.examples) >= 12 * 21
    assert {e.intent for e in heldout.examples} >= set(INTENTS)
    overlap = training & {same(e.text) for e in heldout.examples}
    assert not overlap, f"{len(overlap)} held-out examples are also training examples"
