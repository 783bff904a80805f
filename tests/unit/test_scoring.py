"""Churn risk and expected value on constructed customers, and the backtest that picks the model."""

from __future__ import annotations

import pytest

from domain.adapters.churn_models import SklearnChurnModels
from domain.errors import PermissionDenied
from domain.model.staff import Actor, Role
from domain.scoring import CustomerHistory, CustomerScore, run_scores, score_customers
from tests.support.lifecycles import DAY, NOW, population, regular


@pytest.mark.parametrize("model", ["logistic", "gradient_boosting", "bgnbd"])
def test_a_frequent_recent_buyer_is_less_at_risk_than_an_old_lapsed_one_and_a_big_spender_is_worth_more(
    model: str,
) -> None:
    frequent = regular(10_001, every_days=14, amount=5000, last_days_ago=3, orders=20)
    lapsed = regular(10_002, every_days=30, amount=5000, last_days_ago=300, orders=3)
    big = regular(10_003, every_days=20, amount=40000, last_days_ago=5, orders=8)
    small = regular(10_004, every_days=20, amount=2000, last_days_ago=5, orders=8)
    histories = [*population(600), frequent, lapsed, big, small]
    scores = {s.customer_id: s for s in score_customers(histories, SklearnChurnModels(), model, NOW, "USD")}
    assert scores[10_001].churn_risk < scores[10_002].churn_risk
    assert scores[10_002].churn_risk > 0.7
    assert scores[10_003].expected_value_minor > 5 * scores[10_004].expected_value_minor
    assert all(0.0 <= s.churn_risk <= 1.0 and s.currency == "USD" for s in scores.values())


def test_customers_who_never_bought_get_no_score() -> None:
    never = CustomerHistory(99_999, NOW - 100 * DAY, ())
    scores = score_customers([*population(200), never], SklearnChurnModels(), "logistic", NOW, "USD")
    assert 99_999 not in {s.customer_id for s in scores}
    assert len(scores) == sum(1 for h in population(200) if h.purchases)


def test_backtest_judges_each_model_on_the_held_out_90_days_and_chooses_the_best_auc() -> None:
    report = SklearnChurnModels().backtest(population(1500), NOW)
    assert set(report.models) == {"logistic", "gradient_boosting", "bgnbd"}
    best = max(m.auc for m in report.models.values())
    assert report.models[report.chosen].auc == best
    assert report.baseline == "bgnbd"
    for m in report.models.values():
        assert 0.6 < m.auc <= 1.0  # the generated customers do carry signal in their recency and frequency
        assert 0.0 < m.brier < 0.25
        assert len(m.reliability) == 10 and sum(b.customers for b in m.reliability) == report.customers
    body = report.as_json()
    assert body["chosen"] == report.chosen and body["ratio"] == round(report.ratio, 4) and report.ratio >= 1.0


class MemoryStore:
    def __init__(self, histories: list[CustomerHistory]) -> None:
        self._histories = histories
        self.table: list[CustomerScore] = []

    async def histories(self, currency: str) -> list[CustomerHistory]:
        return self._histories

    async def replace(self, scores: list[CustomerScore]) -> None:  # type: ignore[override]
        self.table = list(scores)


async def test_scoring_needs_someone_who_may_see_the_reports() -> None:
    store = MemoryStore(population(100))
    with pytest.raises(PermissionDenied):
        await run_scores(store, SklearnChurnModels(), NOW, "USD", Actor.staff("vic", Role.VIEWER))
    assert store.table == []
    backtest, scores = await run_scores(store, SklearnChurnModels(), NOW, "USD", Actor.system("nightly"))
    assert backtest is not None and store.table == scores and {s.model for s in scores} == {backtest.chosen}
