"""Customers with repeat-purchase lifecycles, for the churn-score tests: each buys as a Poisson process at their
own rate (Gamma-distributed across customers) until they leave (an exponential lifetime), deterministic by seed.
In memory (``population``) or written as customers and paid orders (``insert_histories``)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from chatshop.bootstrap import Shop
from domain.adapters import orm
from domain.model.orders import OrderStatus
from domain.scoring import CustomerHistory, Purchase

NOW = datetime(2026, 12, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def population(n: int, seed: int = 7, now: datetime = NOW, first_id: int = 1) -> list[CustomerHistory]:
    rng = random.Random(seed)
    people = []
    for cid in range(first_id, first_id + n):
        start = now - rng.uniform(60, 720) * DAY
        rate = rng.gammavariate(1.5, 1 / 40)  # orders a day: most buy every month or two
        leaves = start + rng.expovariate(1 / 300) * DAY
        spend = rng.choice((2500, 6000, 15000))
        at, buys = start, []
        while rate > 0:
            at += rng.expovariate(rate) * DAY
            if at > min(leaves, now):
                break
            buys.append(Purchase(at, int(spend * rng.uniform(0.6, 1.4)), rng.random() < 0.05, "telegram"))
        people.append(CustomerHistory(cid, start, tuple(buys)))
    return people


def regular(
    cid: int, every_days: int, amount: int, last_days_ago: int, orders: int, now: datetime = NOW
) -> CustomerHistory:
    """Someone who bought ``orders`` times, ``every_days`` apart, the last ``last_days_ago`` days ago."""
    buys = tuple(
        Purchase(now - (last_days_ago + every_days * k) * DAY, amount, False, "webchat")
        for k in reversed(range(orders))
    )
    return CustomerHistory(cid, buys[0].at - DAY, buys)


async def insert_histories(shop: Shop, histories: Sequence[CustomerHistory], currency: str = "USD") -> list[int]:
    """The histories as customers (named after their position) with paid orders; returns the new ids in order."""
    async with shop.sessions() as session, session.begin():
        ids: list[int] = []
        for h in histories:
            row = {
                "name": f"C{h.customer_id}",
                "locale": "en",
                "country": "US",
                "timezone": "UTC",
                "tags": [],
                "notes": "",
                "addresses": [],
                "marketing_opt_in": True,
                "unreachable_channels": [],
                "created_at": h.since,
            }
            ids.append(
                int((await session.execute(insert(orm.customers).returning(orm.customers.c.id), row)).scalar_one())
            )
        orders = [
            {
                "customer_id": cid,
                "channel": p.channel,
                "currency": currency,
                "status": OrderStatus.DELIVERED,
                "shipping_method": "standard",
                "shipping_address": {},
                "subtotal": p.amount,
                "discount": 0,
                "shipping": 0,
                "tax_rate_bp": 0,
                "tax": 0,
                "total": p.amount,
                "captured": p.amount,
                "refunded": p.amount // 2 if p.refunded else 0,
                "placed_at": p.at,
                "paid_at": p.at,
                "updated_at": p.at,
            }
            for cid, h in zip(ids, histories, strict=True)
            for p in h.purchases
        ]
        for start in range(0, len(orders), 1000):
            await session.execute(insert(orm.orders), orders[start : start + 1000])
    return ids
