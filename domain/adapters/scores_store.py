"""SQL behind the customer scores: purchase histories for the models, the table swapped whole per run, and the
console's reads (``domain.views.scores``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, delete, insert, select

from domain.adapters import orm
from domain.adapters.db import Sessions
from domain.adapters.orm_scores import customer_scores
from domain.scoring import CustomerHistory, CustomerScore, Purchase
from domain.views.scores import ScoreRow

Cu, Od, S = orm.customers.c, orm.orders.c, customer_scores.c
_LIVE = and_(Cu.anonymised_at.is_(None), Cu.merged_into_id.is_(None))


class SqlScoreStore:
    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    async def histories(self, currency: str) -> list[CustomerHistory]:
        """Every live customer with their paid orders in ``currency`` (net of refunds), oldest first."""
        async with self.sessions() as session:
            people = (await session.execute(select(Cu.id, Cu.created_at).where(_LIVE))).all()
            stmt = (
                select(Od.customer_id, Od.paid_at, Od.captured, Od.refunded, Od.channel)
                .join(orm.customers, Cu.id == Od.customer_id)
                .where(_LIVE, Od.paid_at.is_not(None), Od.currency == currency)
                .order_by(Od.customer_id, Od.paid_at)
            )
            bought: dict[int, list[Purchase]] = defaultdict(list)
            for row in (await session.execute(stmt)).all():
                amount = max(int(row.captured) - int(row.refunded), 0)
                bought[row.customer_id].append(Purchase(row.paid_at, amount, int(row.refunded) > 0, row.channel))
        return [CustomerHistory(cid, since, tuple(bought.get(cid, ()))) for cid, since in people]

    async def replace(self, scores: Sequence[CustomerScore]) -> None:
        rows = [
            {
                "customer_id": s.customer_id,
                "churn_risk": s.churn_risk,
                "expected_value_minor": s.expected_value_minor,
                "currency": s.currency,
                "model": s.model,
                "scored_at": s.scored_at,
            }
            for s in scores
        ]
        async with self.sessions() as session, session.begin():
            await session.execute(delete(customer_scores))
            for start in range(0, len(rows), 2000):
                await session.execute(insert(customer_scores), rows[start : start + 2000])

    def _rows(self) -> Any:
        return select(
            S.customer_id, Cu.name, Cu.email, S.churn_risk, S.expected_value_minor, S.currency, S.model, S.scored_at
        ).join(orm.customers, Cu.id == S.customer_id)

    async def score_of(self, customer_id: int) -> ScoreRow | None:
        async with self.sessions() as session:
            row = (await session.execute(self._rows().where(S.customer_id == customer_id))).first()
        return ScoreRow(*row) if row is not None else None

    async def at_risk(self, min_risk: float, min_value_minor: int, sort: str, limit: int) -> list[ScoreRow]:
        order = (
            (S.churn_risk.desc(), S.expected_value_minor.desc())
            if sort == "risk"
            else (S.expected_value_minor.desc(), S.churn_risk.desc())
        )
        stmt = (
            self._rows()
            .where(_LIVE, S.churn_risk > min_risk, S.expected_value_minor >= min_value_minor)
            .order_by(*order, S.customer_id)
            .limit(limit)
        )
        async with self.sessions() as session:
            return [ScoreRow(*r) for r in (await session.execute(stmt)).all()]
