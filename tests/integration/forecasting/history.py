"""Sales history for forecast tests, written where the forecast reads it (the daily product rollup)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import numpy as np
from sqlalchemy import insert, select

from chatshop.bootstrap import Shop
from domain.adapters import orm
from domain.adapters.orm_rollups import rollup_product_daily

WEEK = (12, 10, 10, 11, 14, 22, 25)


def yesterday() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)


def weekly(days: int, seed: int) -> list[int]:
    rng = np.random.default_rng(seed)
    end = yesterday()
    start = end - timedelta(days=days - 1)
    return [int(max(0, round(WEEK[(start + timedelta(days=i)).weekday()] + rng.normal(0, 1.5)))) for i in range(days)]


def poisson(days: int, rate: float, seed: int) -> list[int]:
    return [int(u) for u in np.random.default_rng(seed).poisson(rate, days)]


async def variant_ids(shop: Shop) -> dict[str, int]:
    async with shop.sessions() as session:
        rows = await session.execute(select(orm.variants.c.sku, orm.variants.c.id))
        return {sku: int(vid) for sku, vid in rows}


async def record_sales(shop: Shop, sku: str, units: Sequence[int], end: date | None = None) -> None:
    """``units`` per day ending ``end`` (yesterday by default) for ``sku``, as the rollup subscriber would."""
    last = end or yesterday()
    async with shop.sessions() as session, session.begin():
        variant = (
            await session.execute(
                select(orm.variants.c.id, orm.variants.c.product_id, orm.variants.c.price).where(
                    orm.variants.c.sku == sku
                )
            )
        ).one()
        rows = [
            {
                "day": last - timedelta(days=len(units) - 1 - i),
                "product_id": variant.product_id,
                "variant_id": variant.id,
                "currency": "USD",
                "lines": u,
                "units": u,
                "revenue": u * variant.price,
            }
            for i, u in enumerate(units)
            if u
        ]
        if rows:
            await session.execute(insert(rollup_product_daily), rows)
