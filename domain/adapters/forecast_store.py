"""The forecast's storage in SQL: daily units per active variant from ``rollup_product_daily`` in, the run and
its daily rows out (the previous run's rows deleted in the same transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.adapters import orm
from domain.adapters.orm_forecasting import demand_forecasts, forecast_runs
from domain.adapters.orm_rollups import rollup_product_daily
from domain.forecast_runs import ForecastRun
from domain.forecasting import DailyHistory, SkuForecast

RP, V = rollup_product_daily.c, orm.variants.c
INSERT_CHUNK = 5000


class SqlForecastStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def histories(self, until: date, days: int) -> list[DailyHistory]:
        async with self.sessions() as session:
            first_sale = (await session.execute(select(func.min(RP.day)))).scalar()
            start = until - timedelta(days=days - 1)
            if first_sale is not None and first_sale > start:
                start = first_sale
            n = (until - start).days + 1
            active = (await session.execute(select(V.id).where(V.active.is_(True)).order_by(V.id))).scalars().all()
            units: dict[int, list[int]] = {int(vid): [0] * max(n, 0) for vid in active}
            rows = await session.execute(
                select(RP.variant_id, RP.day, func.sum(RP.units))
                .where(RP.day >= start, RP.day <= until)
                .group_by(RP.variant_id, RP.day)
            )
            for variant_id, day, sold in rows:
                series = units.get(int(variant_id))
                if series is not None:
                    series[(day - start).days] = max(0, int(sold or 0))
        return [DailyHistory(vid, start, tuple(series)) for vid, series in units.items()]

    async def replace(self, run: ForecastRun, forecasts: Sequence[SkuForecast]) -> int:
        async with self.sessions() as session, session.begin():
            values = {
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "first_day": run.first_day,
                "skus": run.skus,
                "seconds": run.seconds,
            }
            run_id = int(
                (await session.execute(insert(forecast_runs).values(values).returning(forecast_runs.c.id))).scalar_one()
            )
            await session.execute(delete(demand_forecasts))
            rows = [
                {
                    "variant_id": f.variant_id,
                    "day": d.day,
                    "run_id": run_id,
                    "mean": d.mean,
                    "lo80": d.lo80,
                    "hi80": d.hi80,
                    "lo95": d.lo95,
                    "hi95": d.hi95,
                    "method": f.method.value,
                    "demand_class": f.demand_class.value,
                }
                for f in forecasts
                for d in f.days
            ]
            for i in range(0, len(rows), INSERT_CHUNK):
                await session.execute(insert(demand_forecasts), rows[i : i + INSERT_CHUNK])
        return run_id
