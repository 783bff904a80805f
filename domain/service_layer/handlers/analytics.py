"""Analytics: channels and bots record what shoppers do (views, searches, messages)."""

from __future__ import annotations

from domain import commands as c
from domain.model import AnalyticsEvent
from domain.service_layer.context import Context

_MAX_PROPERTIES = 20


async def record_analytics(cmd: c.RecordAnalytics, ctx: Context) -> None:
    properties = {
        str(k)[:40]: v if isinstance(v, int | float | bool) or v is None else str(v)[:200]
        for k, v in list(cmd.properties.items())[:_MAX_PROPERTIES]
    }
    async with ctx.uow() as uow:
        await uow.sales.add_analytics(
            AnalyticsEvent(
                cmd.name[:40],
                ctx.now(),
                customer_id=cmd.customer_id,
                channel=cmd.channel,
                product_id=cmd.product_id,
                order_id=cmd.order_id,
                value=cmd.value,
                properties=properties,
            )
        )
        await uow.commit()
