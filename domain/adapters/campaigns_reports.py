"""Campaign reports in SQL: one statement for any number of campaigns.

Deliveries are counted by state, clicks and opt-outs by the campaign id in the analytics row's properties,
orders and revenue from the orders credited to the campaign (``ix_orders_campaign_id``); each grouped once
and joined to the campaign rows, so ``/campaign``'s list costs one round trip however many campaigns there
are (it used to load every click and opt-out event into Python once per campaign).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, and_, case, cast, func, select
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from domain.adapters import orm
from domain.adapters.orm_campaigns import campaign_deliveries, campaigns
from domain.model.campaigns import CampaignReport, DeliveryState

t = campaigns.c
d = campaign_deliveries.c
a = orm.analytics_events.c
o = orm.orders.c

CLICK, OPT_OUT = "campaign_click", "campaign_optout"
SKIPPED = {
    "optout": DeliveryState.SKIPPED_OPTOUT,
    "cap": DeliveryState.SKIPPED_CAP,
    "quiet": DeliveryState.SKIPPED_QUIET,
    "stale": DeliveryState.SKIPPED_STALE,
}


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def report_statement(where: ColumnElement[bool] | None = None) -> Select[Any]:
    """Each campaign (``where`` narrows them) in id order with its counts, as ``report_from_row`` reads them.

    ``where`` narrows the grouped counts too, so one campaign's report reads only its own rows."""
    chosen = None if where is None else select(t.id).where(where)
    by_state = [_count_if(d.state == state.value).label(state.value) for state in DeliveryState]
    deliveries = (
        select(
            d.campaign_id,
            *by_state,
            _count_if(and_(d.state == DeliveryState.SENT.value, d.channel == "email")).label("email_sent"),
        )
        .where(*(() if chosen is None else (d.campaign_id.in_(chosen),)))
        .group_by(d.campaign_id)
        .subquery()
    )
    # The id is stored as a JSON number by the chat and as a string by older rows: compare as text.
    key = cast(a.properties["campaign_id"].as_string(), String)
    touches = (
        select(
            key.label("campaign_key"),
            _count_if(a.name == CLICK).label("clicks"),
            _count_if(a.name == OPT_OUT).label("opt_outs"),
        )
        .where(a.name.in_((CLICK, OPT_OUT)))
        .where(*(() if where is None else (key.in_(select(cast(t.id, String)).where(where)),)))
        .group_by(key)
        .subquery()
    )
    sales = (
        select(
            o.campaign_id,
            func.count().label("orders"),
            func.coalesce(func.sum(o.captured - o.refunded), 0).label("revenue"),
        )
        .where(o.campaign_id.is_not(None), o.paid_at.is_not(None))
        .where(*(() if chosen is None else (o.campaign_id.in_(chosen),)))
        .group_by(o.campaign_id)
        .subquery()
    )
    stmt = (
        select(
            t.id,
            t.name,
            t.status,
            *(func.coalesce(deliveries.c[state.value], 0).label(state.value) for state in DeliveryState),
            func.coalesce(deliveries.c.email_sent, 0).label("email_sent"),
            func.coalesce(touches.c.clicks, 0).label("clicks"),
            func.coalesce(touches.c.opt_outs, 0).label("opt_outs"),
            func.coalesce(sales.c.orders, 0).label("orders"),
            func.coalesce(sales.c.revenue, 0).label("revenue"),
        )
        .select_from(campaigns)
        .outerjoin(deliveries, deliveries.c.campaign_id == t.id)
        .outerjoin(touches, touches.c.campaign_key == cast(t.id, String))
        .outerjoin(sales, sales.c.campaign_id == t.id)
        .order_by(t.id)
    )
    return stmt if where is None else stmt.where(where)


def report_from_row(row: Any, currency: str, status: str | None = None) -> CampaignReport:
    """``status``: the campaign's status as the caller holds it (a run just finished, not saved yet)."""
    m = row._mapping
    n = {state: int(m[state.value]) for state in DeliveryState}
    sent = n[DeliveryState.SENT]
    return CampaignReport(
        campaign_id=int(m["id"]),
        name=str(m["name"]),
        status=status or str(m["status"]),
        recipients=sum(n.values()),
        queued=n[DeliveryState.QUEUED],
        sending=n[DeliveryState.SENDING],
        sent=sent,
        delivered=sent - int(m["email_sent"]),
        failed=n[DeliveryState.FAILED],
        blocked=n[DeliveryState.BLOCKED],
        unknown=n[DeliveryState.UNKNOWN],
        skipped={label: n[state] for label, state in SKIPPED.items()},
        opt_outs=int(m["opt_outs"]),
        clicks=int(m["clicks"]),
        orders=int(m["orders"]),
        revenue=int(m["revenue"]),
        currency=currency,
    )
