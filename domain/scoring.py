"""Churn risk and expected value per customer (issue 20), as plain values and plain arithmetic.

``churn_risk`` is the probability that a customer buys nothing in the next 90 days; ``expected_value`` their
expected spend over the next 365 days, in integer minor units of the shop's currency. The models that give the
probability live behind ``ChurnModels`` (scikit-learn and scipy, in ``domain/adapters/churn_models.py``); the
domain hands them purchase histories and gets probabilities back. Expected value is computed here:

    expected_value = p(active) × expected orders in 365 days if active × shrunk average order value

- p(active) = 1 − churn_risk (having bought within 90 days is what "active" means to the model);
- expected orders if active: the customer's order rate under a Gamma prior fitted to the whole population by the
  method of moments (Gamma–Poisson posterior mean ``(r + orders) / (α + tenure)``) × 365, so a one-order customer
  of a week is not extrapolated to 52 orders a year;
- shrunk order value: the customer's mean order value pulled toward the population mean with Bühlmann credibility
  ``n / (n + k)``, ``k`` = mean within-customer variance ÷ variance of customers' means — the linear form the
  Gamma–Gamma model's posterior mean takes.

Customers who never paid for an order get no score (there is nothing to score them on), and a score rule in a
campaign segment never matches a customer without a score.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean, pvariance
from typing import Protocol

from domain.model.staff import Actor, Permission

HORIZON_DAYS = 90  # churn: no purchase in this many days
VALUE_DAYS = 365  # expected value: spend over this many days


@dataclass(frozen=True)
class Purchase:
    at: datetime  # when it was paid
    amount: int  # minor units captured minus refunded
    refunded: bool
    channel: str


@dataclass(frozen=True)
class CustomerHistory:
    customer_id: int
    since: datetime  # when the customer was created
    purchases: tuple[Purchase, ...]  # paid orders, oldest first

    def until(self, moment: datetime) -> CustomerHistory:
        """The history as it stood at ``moment`` (for calibrating on the past)."""
        return CustomerHistory(self.customer_id, self.since, tuple(p for p in self.purchases if p.at <= moment))

    def bought_between(self, start: datetime, end: datetime) -> bool:
        return any(start < p.at <= end for p in self.purchases)


@dataclass(frozen=True)
class ReliabilityBin:
    lower: float
    upper: float
    customers: int
    mean_predicted: float  # mean predicted probability of buying in the bin
    observed: float  # share of the bin that did buy


@dataclass(frozen=True)
class ModelEvaluation:
    name: str
    auc: float
    brier: float
    reliability: tuple[ReliabilityBin, ...]


@dataclass(frozen=True)
class Backtest:
    """Models fitted on history up to ``cutoff`` − 90 days, judged on who bought in (cutoff − 90 days, cutoff]."""

    models: dict[str, ModelEvaluation]
    chosen: str
    baseline: str
    customers: int

    @property
    def ratio(self) -> float:
        base = self.models[self.baseline].auc
        return self.models[self.chosen].auc / base if base else 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "models": {
                name: {
                    "auc": round(m.auc, 4),
                    "brier": round(m.brier, 4),
                    "reliability": [
                        {
                            "bin": [round(b.lower, 2), round(b.upper, 2)],
                            "customers": b.customers,
                            "predicted": round(b.mean_predicted, 4),
                            "observed": round(b.observed, 4),
                        }
                        for b in m.reliability
                    ],
                }
                for name, m in self.models.items()
            },
            "chosen": self.chosen,
            "baseline": self.baseline,
            "customers": self.customers,
            "ratio": round(self.ratio, 4),
        }


@dataclass(frozen=True)
class CustomerScore:
    customer_id: int
    churn_risk: float
    expected_value_minor: int
    currency: str
    model: str
    scored_at: datetime


class ChurnModels(Protocol):
    """Probability of buying within ``HORIZON_DAYS``, from purchase histories (the port the adapters fill)."""

    baseline: str

    def names(self) -> tuple[str, ...]: ...

    def backtest(self, histories: Sequence[CustomerHistory], cutoff: datetime) -> Backtest: ...

    def predict(self, model: str, histories: Sequence[CustomerHistory], now: datetime) -> dict[int, float]:
        """Fit ``model`` on the 90 days before ``now`` and return each customer's p(buys in the next 90 days)."""
        ...


class ScoreStore(Protocol):
    async def histories(self, currency: str) -> list[CustomerHistory]: ...

    async def replace(self, scores: Sequence[CustomerScore]) -> None:
        """Swap the whole table for ``scores`` in one transaction (readers see the old run or the new one)."""
        ...


@dataclass(frozen=True)
class ValuePrior:
    rate_shape: float  # r of the Gamma prior on orders per day
    rate_scale: float  # α (days)
    mean_value: float  # population mean order value, minor units
    credibility_k: float


def value_prior(histories: Sequence[CustomerHistory], now: datetime) -> ValuePrior:
    buyers = [h for h in histories if h.purchases]
    rates = [len(h.purchases) / _tenure_days(h, now) for h in buyers]
    mean_rate = fmean(rates) if rates else 0.0
    var_rate = pvariance(rates) if len(rates) > 1 else 0.0
    if mean_rate > 0 and var_rate > 0:
        shape, scale = mean_rate * mean_rate / var_rate, mean_rate / var_rate
    else:  # everyone alike: a weak prior centred on the mean
        shape, scale = 1.0, 1.0 / mean_rate if mean_rate > 0 else 365.0
    values = [[float(p.amount) for p in h.purchases] for h in buyers]
    means = [fmean(v) for v in values]
    mean_value = fmean([x for v in values for x in v]) if values else 0.0
    within = [pvariance(v) for v in values if len(v) > 1]
    between = pvariance(means) if len(means) > 1 else 0.0
    k = (fmean(within) / between) if within and between > 0 else 1.0
    return ValuePrior(shape, scale, mean_value, k)


def _tenure_days(history: CustomerHistory, now: datetime) -> float:
    start = min([history.since, *(p.at for p in history.purchases)])
    return max((now - start) / timedelta(days=1), 1.0)


def expected_value(history: CustomerHistory, p_active: float, prior: ValuePrior, now: datetime) -> int:
    n = len(history.purchases)
    if n == 0:
        return 0
    orders_per_day = (prior.rate_shape + n) / (prior.rate_scale + _tenure_days(history, now))
    own_mean = fmean(p.amount for p in history.purchases)
    weight = n / (n + prior.credibility_k)
    order_value = weight * own_mean + (1 - weight) * prior.mean_value
    return max(round(p_active * orders_per_day * VALUE_DAYS * order_value), 0)


def score_customers(
    histories: Sequence[CustomerHistory],
    models: ChurnModels,
    model: str,
    now: datetime,
    currency: str,
) -> list[CustomerScore]:
    """Scores of every customer with at least one paid order, by ``model``."""
    buyers = [h for h in histories if h.purchases]
    if not buyers:
        return []
    p_buy = models.predict(model, histories, now)
    prior = value_prior(buyers, now)
    scores = []
    for h in buyers:
        p = min(max(p_buy[h.customer_id], 0.0), 1.0)
        scores.append(
            CustomerScore(h.customer_id, round(1.0 - p, 4), expected_value(h, p, prior, now), currency, model, now)
        )
    return scores


async def run_scores(
    store: ScoreStore, models: ChurnModels, now: datetime, currency: str, actor: Actor, model: str | None = None
) -> tuple[Backtest | None, list[CustomerScore]]:
    """Backtest the models, score everyone with the better one (or ``model``), replace the table in one go."""
    actor.require(Permission.VIEW_REPORTS)
    histories = await store.histories(currency)

    def compute() -> tuple[Backtest | None, list[CustomerScore]]:
        backtest = models.backtest(histories, now) if model is None and any(h.purchases for h in histories) else None
        chosen = model or (backtest.chosen if backtest is not None else models.baseline)
        return backtest, score_customers(histories, models, chosen, now, currency)

    # Fitting takes seconds of CPU: off the event loop, so a running shop keeps answering meanwhile.
    backtest, scores = await asyncio.to_thread(compute)
    await store.replace(scores)
    return backtest, scores
