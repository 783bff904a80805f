"""The staff home screen: today's sales, orders waiting for a decision, what runs low."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bots.ops.stock import StockSummary, low_stock
from domain.model.money import Money
from domain.views.port import ShopViews


@dataclass(frozen=True)
class Waiting:
    order_id: int
    total: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Home:
    day: date
    orders_today: int
    gross_today: str
    net_today: str
    waiting: tuple[Waiting, ...]
    low: tuple[StockSummary, ...]  # the most urgent
    low_total: int = 0  # all variants below their threshold


async def home(views: ShopViews, today: date, candidate_orders: Iterable[int]) -> Home:
    """``candidate_orders``: orders known to have asked for approval; those still waiting are listed.

    (No view lists orders by status yet; the caller remembers which orders asked.)
    """
    sales = await views.reports.totals(today, today)  # the dashboard's figures for today
    waiting = []
    for order_id in sorted(set(candidate_orders)):
        order = await views.order(order_id)
        if order is not None and order.status == "awaiting_approval":
            waiting.append(Waiting(order.id, Money(order.total, order.currency).format(), order.approval_reasons))
    low_total, low = await low_stock(views)
    return Home(
        day=today,
        orders_today=sales.orders,
        gross_today=Money(sales.gross, views.reports.currency).format(),
        net_today=Money(sales.net, views.reports.currency).format(),
        waiting=tuple(waiting),
        low=tuple(low),
        low_total=low_total,
    )
