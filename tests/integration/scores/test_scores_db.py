"""Customer scores in the database (SQLite and PostgreSQL): the nightly run reads paid orders and replaces the
table; segment rules on churn risk and expected value select exactly the scored customers they describe."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from chatshop.bootstrap import Shop
from chatshop.cli_scores import score_now
from domain.adapters.campaigns_segments import matching_customers
from domain.adapters.orm_scores import customer_scores
from domain.adapters.scores_store import SqlScoreStore
from domain.errors import ValidationFailed
from domain.model.campaigns import parse_rule
from domain.scoring import CustomerHistory, CustomerScore
from tests.support.clock import FakeClock
from tests.support.lifecycles import DAY, insert_histories, population, regular

pytestmark = pytest.mark.timeout(300)


async def test_scores_run_ranks_constructed_customers_and_skips_those_who_never_bought(
    shop: Shop, clock: FakeClock
) -> None:
    now = clock.now()
    frequent = regular(1, every_days=14, amount=5000, last_days_ago=3, orders=20, now=now)
    lapsed = regular(2, every_days=30, amount=5000, last_days_ago=300, orders=3, now=now)
    big = regular(3, every_days=20, amount=40000, last_days_ago=5, orders=8, now=now)
    small = regular(4, every_days=20, amount=2000, last_days_ago=5, orders=8, now=now)
    never = CustomerHistory(5, now - 50 * DAY, ())
    ids = await insert_histories(shop, [frequent, lapsed, big, small, never, *population(300, now=now, first_id=6)])
    backtest, n = await score_now(shop)
    assert backtest is not None and backtest.chosen in backtest.models
    async with shop.sessions() as session:
        rows = {r.customer_id: r for r in (await session.execute(select(customer_scores))).all()}
    assert len(rows) == n and ids[4] not in rows
    assert rows[ids[0]].churn_risk < rows[ids[1]].churn_risk
    assert rows[ids[2]].expected_value_minor > 5 * rows[ids[3]].expected_value_minor
    assert {r.currency for r in rows.values()} == {"USD"} and {r.model for r in rows.values()} == {backtest.chosen}
    # A second run replaces the table rather than adding to it.
    clock.advance(days=1)
    _, again = await score_now(shop, "logistic")
    async with shop.sessions() as session:
        models = (await session.execute(select(customer_scores.c.model))).scalars().all()
    assert again == n and len(models) == n and set(models) == {"logistic"}


async def ids_matching(shop: Shop, segment: dict[str, Any]) -> set[int]:
    stmt = matching_customers(parse_rule(segment), shop.clock.now(), shop.engine.dialect.name)
    async with shop.sessions() as session:
        return set((await session.execute(stmt)).scalars().all())


async def test_a_win_back_rule_selects_exactly_the_at_risk_high_value_customers_and_never_the_unscored(
    shop: Shop, clock: FakeClock
) -> None:
    now = clock.now()
    people = [regular(k, every_days=30, amount=1000, last_days_ago=10, orders=2, now=now) for k in range(1, 7)]
    risky_rich, risky_poor, safe_rich, edge_value, edge_risk, unscored = await insert_histories(shop, people)
    await SqlScoreStore(shop.sessions).replace(
        [
            CustomerScore(risky_rich, 0.91, 12000, "USD", "logistic", now),
            CustomerScore(risky_poor, 0.95, 900, "USD", "logistic", now),
            CustomerScore(safe_rich, 0.20, 50000, "USD", "logistic", now),
            CustomerScore(edge_value, 0.80, 5000, "USD", "logistic", now),  # exactly 50.00
            CustomerScore(edge_risk, 0.70, 9000, "USD", "logistic", now),  # exactly 0.7
        ]
    )
    win_back = {
        "all": [
            {"field": "churn_risk", "op": "gt", "value": 0.7},
            {"field": "expected_value", "op": "gt", "value": 50},
        ]
    }
    assert await ids_matching(shop, win_back) == {risky_rich}
    assert await ids_matching(shop, {"field": "expected_value", "op": "gte", "value": "50"}) == {
        risky_rich,
        safe_rich,
        edge_value,
        edge_risk,
    }
    assert await ids_matching(shop, {"field": "expected_value", "op": "lt", "value": 49.999}) == {risky_poor}
    assert await ids_matching(shop, {"field": "churn_risk", "op": "gte", "value": 0.7}) == {
        risky_rich,
        risky_poor,
        edge_value,
        edge_risk,
    }
    assert unscored not in await ids_matching(shop, {"field": "churn_risk", "op": "lte", "value": 1})
    assert await ids_matching(shop, {"field": "churn_risk", "op": "lte", "value": 1}) == {
        risky_rich,
        risky_poor,
        safe_rich,
        edge_value,
        edge_risk,
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"field": "churn_risk", "op": "gt", "value": 1.5},
        {"field": "churn_risk", "op": "in", "value": 0.5},
        {"field": "churn_risk", "op": "gt", "value": "high"},
        {"field": "expected_value", "op": "gt", "value": -5},
        {"field": "expected_value", "op": "gt", "value": "fifty"},
        {"field": "expected_value", "op": "gt", "value": "1.0001"},
        {"field": "expected_value", "op": "gt", "value": True},
    ],
)
def test_score_rules_with_a_wrong_value_are_refused_with_a_reason(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationFailed):
        parse_rule(bad)


async def test_the_running_shop_refreshes_the_scores_nightly_at_the_set_time_or_not_at_all(shop: Shop) -> None:
    from chatshop.runtime import Runtime
    from chatshop.server import add_scores

    runtime = Runtime(shop)
    add_scores(runtime, shop, shop.settings)
    job = runtime.scheduler.get_job("customer-scores")
    assert job is not None and "hour='3'" in str(job.trigger) and "minute='30'" in str(job.trigger)
    quiet = Runtime(shop)
    add_scores(quiet, shop, shop.settings.model_copy(update={"scores_nightly_at": None}))
    assert quiet.scheduler.get_job("customer-scores") is None
