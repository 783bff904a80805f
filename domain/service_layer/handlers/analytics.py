"""Analytics: channels and bots record what shoppers do (views, searches, messages)."""

from __future__ import annotations

from datetime import datetime

from domain import commands as c
from domain.model import AnalyticsEvent
from domain.service_layer.context import Context

_MAX_PROPERTIES = 20


async def record_analytics(cmd: c.RecordAnalytics, ctx: Context) -> None:
    """One event on its own (an e-mail link clicked, an opt-out): rare, written at once."""
    await _write(c.RecordAnalyticsBatch((cmd,)), ctx)


async def record_analytics_batch(cmd: c.RecordAnalyticsBatch, ctx: Context) -> None:
    """A shopper turn's events: buffered and written with other turns' when the shop has a buffer."""
    if ctx.analytics is not None:
        now = ctx.now()
        ctx.analytics.add([_row(event, now) for event in cmd.events])
        return
    await _write(cmd, ctx)


async def _write(cmd: c.RecordAnalyticsBatch, ctx: Context) -> None:
    now = ctx.now()
    async with ctx.uow() as uow:
        await uow.sales.add_analytics_rows([_row(event, now) for event in cmd.events])
        await uow.commit()


def _row(cmd: c.RecordAnalytics, now: datetime) -> AnalyticsEvent:
    properties = {
        str(k)[:40]: v if isinstance(v, int | float | bool) or v is None else str(v)[:200]
        for k, v in list(cmd.properties.items())[:_MAX_PROPERTIES]
    }
    return AnalyticsEvent(
        cmd.name[:40],
        now,
        customer_id=cmd.customer_id,
        channel=cmd.channel,
        product_id=cmd.product_id,
        order_id=cmd.order_id,
        value=cmd.value,
        properties=properties,
    )
