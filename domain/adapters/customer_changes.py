"""``customers.updated_at`` follows every change to a customer, wherever the change is made: the customer's own
row (tags, consent flag, addresses, anonymising), or their channel identities and consent entries. One flush
hook instead of a line in each handler, so a new handler can't forget it (the API's ``updated_since`` relies
on it). The unit of work puts its clock in ``session.info``; without one the wall clock is used."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from domain.adapters import orm
from domain.model import ChannelIdentity, ConsentEntry, Customer

CLOCK = "clock"
_PENDING = "customers_touched"


def session_now(session: Session) -> datetime:
    clock = session.info.get(CLOCK)
    return clock.now() if clock is not None else datetime.now(UTC)


@event.listens_for(Session, "before_flush")
def _touch_customers(session: Session, _context: Any, _instances: Any) -> None:
    now = session_now(session)
    others: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Customer):
            obj.updated_at = obj.updated_at or obj.created_at or now
    for obj in session.dirty:
        if isinstance(obj, Customer) and session.is_modified(obj, include_collections=False):
            obj.updated_at = now
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, ChannelIdentity | ConsentEntry) and obj.customer_id is not None:
            owner = session.identity_map.get(session.identity_key(Customer, obj.customer_id))
            if isinstance(owner, Customer):
                if owner not in session.new:
                    owner.updated_at = now
            else:
                others.add(obj.customer_id)  # not loaded: one UPDATE after the flush
    if others:
        session.info.setdefault(_PENDING, set()).update(others)


@event.listens_for(Session, "after_flush")
def _touch_unloaded(session: Session, _context: Any) -> None:
    ids = session.info.pop(_PENDING, None)
    if ids:
        touch_statement = update(orm.customers).where(orm.customers.c.id.in_(sorted(ids)))
        session.connection().execute(touch_statement.values(updated_at=session_now(session)))
