"""A carrier's tracking update, as an inbound integration reports it (issue 18)."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.commands import Command
from domain.model.staff import Actor

TRACKING_STATUSES = ("shipped", "in_transit", "out_for_delivery", "delivered", "exception")


@dataclass(frozen=True)
class RecordTrackingUpdate(Command):
    """``status`` one of ``TRACKING_STATUSES``. ``update_id`` (the sender's message id, prefixed with the
    integration) makes a replayed update change nothing. ``shipped`` for an order with no tracking number yet
    names it by ``order_id`` and ships it (with ``carrier`` and this number) if it is paid and not waiting
    for approval. The handler returns what it did: ``shipped``, ``delivered``,
    ``exception``, ``noted`` (in transit: nothing to change), ``unchanged`` (already so), ``duplicate``,
    ``unknown`` (no order has that tracking number) or ``refused`` (the order can't take it, e.g. cancelled)."""

    tracking_number: str
    status: str
    actor: Actor = field(kw_only=True)
    carrier: str = ""
    description: str = ""
    update_id: str = ""
    order_id: int | None = None  # the shop's order number: how a "shipped" update finds an unshipped order
