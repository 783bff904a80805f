"""The Slack campaign modal's score inputs become the domain's segment rules, or say what is wrong beside them."""

from __future__ import annotations

from channels.slack.campaign_form import read_segment
from domain.model.campaigns import parse_rule


def test_churn_risk_and_expected_value_inputs_become_score_rules_in_major_units() -> None:
    segment, errors = read_segment({"channels": ["telegram"], "seg_churn": "70", "seg_value": "1,250.50"}, "USD")
    assert errors == {}
    assert segment.rule == {
        "all": [
            {"field": "churn_risk", "op": "gt", "value": 0.7},
            {"field": "expected_value", "op": "gte", "value": "1250.50"},
        ]
    }
    parse_rule(segment.rule)


def test_a_percentage_over_100_or_an_amount_with_too_many_decimals_is_refused_beside_its_input() -> None:
    _, errors = read_segment({"channels": ["telegram"], "seg_churn": "170", "seg_value": "5.001"}, "USD")
    assert set(errors) == {"seg_churn", "seg_value"}
