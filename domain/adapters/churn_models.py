"""The churn models behind ``domain.scoring.ChurnModels``: scikit-learn classifiers on RFM features and a BG/NBD
baseline fitted with scipy.

- ``logistic``: standardised features → ``LogisticRegression`` (balanced, well calibrated by construction).
- ``gradient_boosting``: ``HistGradientBoostingClassifier`` calibrated with isotonic regression
  (``CalibratedClassifierCV``, 3 folds).
- ``bgnbd`` (the baseline): the Beta-Geometric/NBD model of Fader, Hardie & Lee (2005), its four parameters fitted
  by maximum likelihood on (repeat orders, time of last order, age) in weeks. p(buys in the next h days) =
  p(alive) × (1 − ((α+T)/(α+T+h))^(r+x)) — the chance an alive customer's Poisson rate, under its Gamma
  posterior, gives at least one order; it ignores dying within the window, which slightly overstates it.

The classifiers learn from the past: features as the histories stood at ``t − 90 days`` and whether the customer
bought in ``(t − 90 days, t]``; they are then applied to the features at ``t``. The backtest does the same one
window earlier, so nothing of the judged period is seen while fitting.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import betaln, gammaln
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from domain.scoring import HORIZON_DAYS, Backtest, CustomerHistory, ModelEvaluation, ReliabilityBin

DAY = timedelta(days=1)
CHANNELS = ("telegram", "webchat", "slack", "api")  # one-hot of the channel most orders came through
Floats = NDArray[np.float64]


def rfm_features(history: CustomerHistory, at: datetime) -> list[float]:
    """Recency, frequency, monetary, tenure, recent orders, refunds and channel of a history as at ``at``."""
    buys = [p for p in history.purchases if p.at <= at]
    days_ago = [(at - p.at) / DAY for p in buys]
    amounts = [p.amount for p in buys]
    tenure = max((at - min([history.since, *(p.at for p in buys)])) / DAY, 0.0)
    channels = [p.channel for p in buys]
    main = max(set(channels), key=channels.count) if channels else ""
    gaps = np.diff(sorted(-d for d in days_ago)) if len(buys) > 1 else np.array([tenure])
    return [
        min(days_ago) if buys else tenure,
        float(len(buys)),
        math.log1p(sum(amounts) / len(amounts)) if buys else 0.0,
        math.log1p(sum(amounts)),
        tenure,
        float(sum(d <= 90 for d in days_ago)),
        float(sum(d <= 180 for d in days_ago)),
        float(sum(p.refunded for p in buys)),
        float(np.mean(gaps)),
        *(float(main == ch) for ch in CHANNELS),
    ]


def _matrix(histories: Sequence[CustomerHistory], at: datetime) -> Floats:
    return np.array([rfm_features(h, at) for h in histories], dtype=np.float64)


def _labels(histories: Sequence[CustomerHistory], start: datetime, end: datetime) -> NDArray[np.int_]:
    return np.array([int(h.bought_between(start, end)) for h in histories])


def _buyers_at(histories: Sequence[CustomerHistory], at: datetime) -> list[CustomerHistory]:
    return [h for h in histories if any(p.at <= at for p in h.purchases)]


class _Constant:
    """What a classifier falls back to when the past holds one outcome only (a tiny or brand-new shop)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def predict_proba(self, x: Floats) -> Floats:
        return np.column_stack([np.full(len(x), 1 - self.rate), np.full(len(x), self.rate)])


def _classifier(name: str, x: Floats, y: NDArray[np.int_]) -> Any:
    smallest = int(min(y.sum(), len(y) - y.sum())) if len(y) else 0
    if smallest < 2:
        return _Constant((float(y.sum()) + 1) / (len(y) + 2))  # Laplace: a handful of customers proves little
    if name == "logistic":
        model: Any = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000, C=1.0))
    else:
        boosted = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=0)
        model = CalibratedClassifierCV(boosted, method="isotonic", cv=min(3, smallest))
    model.fit(x, y)
    return model


# --- BG/NBD -----------------------------------------------------------------------------------------------


def _bgnbd_inputs(histories: Sequence[CustomerHistory], at: datetime) -> tuple[Floats, Floats, Floats]:
    """(repeat orders x, time of the last order t_x, age T) in weeks since each customer's first order."""
    xs, txs, ts = [], [], []
    for h in histories:
        times = sorted(p.at for p in h.purchases if p.at <= at)
        first = times[0]
        xs.append(len(times) - 1)
        txs.append((times[-1] - first) / DAY / 7)
        ts.append((at - first) / DAY / 7)
    return np.array(xs, dtype=np.float64), np.array(txs, dtype=np.float64), np.array(ts, dtype=np.float64)


def _bgnbd_loglik(params: Floats, x: Floats, tx: Floats, t: Floats) -> float:
    r, alpha, a, b = np.exp(params)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    alive = betaln(a, b + x) - betaln(a, b) - (r + x) * np.log(alpha + t)
    died = np.where(
        x > 0,
        betaln(a + 1, b + np.maximum(x, 1) - 1) - betaln(a, b) - (r + x) * np.log(alpha + tx),
        -np.inf,
    )
    return float(np.sum(common + np.logaddexp(alive, died)))


def fit_bgnbd(x: Floats, tx: Floats, t: Floats) -> tuple[float, float, float, float]:
    result = minimize(
        lambda p: -_bgnbd_loglik(p, x, tx, t),
        np.log([0.5, 5.0, 0.5, 2.0]),
        method="Nelder-Mead",
        options={"maxiter": 4000, "xatol": 1e-4, "fatol": 1e-6},
    )
    r, alpha, a, b = (float(v) for v in np.exp(result.x))
    return r, alpha, a, b


def bgnbd_p_buy(params: tuple[float, float, float, float], x: Floats, tx: Floats, t: Floats, weeks: float) -> Floats:
    r, alpha, a, b = params
    ratio = np.where(x > 0, (a / (b + np.maximum(x, 1) - 1)) * ((alpha + t) / (alpha + tx)) ** (r + x), 0.0)
    p_alive = 1.0 / (1.0 + ratio)
    p_order_if_alive = 1.0 - ((alpha + t) / (alpha + t + weeks)) ** (r + x)
    out: Floats = np.clip(p_alive * p_order_if_alive, 0.0, 1.0)
    return out


# --- evaluation -------------------------------------------------------------------------------------------


def reliability(p: Floats, y: NDArray[np.int_], bins: int = 10) -> tuple[ReliabilityBin, ...]:
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    rows = []
    for i in range(bins):
        mask = which == i
        n = int(mask.sum())
        rows.append(
            ReliabilityBin(
                float(edges[i]),
                float(edges[i + 1]),
                n,
                float(p[mask].mean()) if n else 0.0,
                float(y[mask].mean()) if n else 0.0,
            )
        )
    return tuple(rows)


def evaluate(name: str, p: Floats, y: NDArray[np.int_]) -> ModelEvaluation:
    auc = float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else 0.5
    return ModelEvaluation(name, auc, float(brier_score_loss(y, p)), reliability(p, y))


class SklearnChurnModels:
    baseline = "bgnbd"

    def names(self) -> tuple[str, ...]:
        return ("logistic", "gradient_boosting", "bgnbd")

    def _p_buy(self, model: str, histories: Sequence[CustomerHistory], at: datetime) -> tuple[list[int], Floats]:
        """p(buys in (at, at + 90 days]) for customers who had bought by ``at``, fitted on what was known then."""
        scored = _buyers_at(histories, at)
        ids = [h.customer_id for h in scored]
        if not scored:
            return ids, np.zeros(0)
        if model == "bgnbd":
            x, tx, t = _bgnbd_inputs(scored, at)
            return ids, bgnbd_p_buy(fit_bgnbd(x, tx, t), x, tx, t, HORIZON_DAYS / 7)
        if model not in self.names():
            raise ValueError(f"Unknown model {model!r}; use one of {', '.join(self.names())}.")
        past = at - HORIZON_DAYS * DAY
        train = _buyers_at(histories, past)
        y = _labels(train, past, at)
        clf = _classifier(model, _matrix(train, past), y) if train else _Constant(0.5)
        p: Floats = clf.predict_proba(_matrix(scored, at))[:, 1]
        return ids, p

    def predict(self, model: str, histories: Sequence[CustomerHistory], now: datetime) -> dict[int, float]:
        ids, p = self._p_buy(model, histories, now)
        return {cid: float(v) for cid, v in zip(ids, p, strict=True)}

    def backtest(self, histories: Sequence[CustomerHistory], cutoff: datetime) -> Backtest:
        start = cutoff - HORIZON_DAYS * DAY
        judged = _buyers_at(histories, start)
        y = _labels(judged, start, cutoff)
        models = {}
        for name in self.names():
            _, p = self._p_buy(name, judged, start)
            models[name] = evaluate(name, p, y)
        # Ties go to the baseline: a classifier that learnt nothing (too little history) must not be chosen.
        chosen = max(models.values(), key=lambda m: (round(m.auc, 4), m.name == self.baseline, -m.brier)).name
        return Backtest(models, chosen, self.baseline, len(judged))
