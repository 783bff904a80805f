"""Carrier tracking updates: a delivered parcel moves its order to delivered, a delivery problem is told to
the shopper (``DeliveryException``); both reach the shopper through the usual order notices, once.

Orders are found by tracking number through the integrations repository that comes with the unit of work
(``uow.webhooks``, see ``domain/adapters/webhooks_uow.py``).
"""

from __future__ import annotations

import logging
from typing import Protocol, cast

from domain import events
from domain.commands_tracking import TRACKING_STATUSES, RecordTrackingUpdate
from domain.errors import IllegalTransition, ValidationFailed
from domain.model.orders import OrderStatus
from domain.model.staff import Permission
from domain.service_layer.context import Context
from domain.service_layer.handlers.orders import _status_changed, load_order
from domain.service_layer.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
CONSUMER = "tracking-update"


class TrackingLookup(Protocol):
    async def orders_for_tracking(self, tracking_number: str, carrier: str = "") -> list[int]: ...


def _lookup(uow: UnitOfWork) -> TrackingLookup:
    repo = getattr(uow, "webhooks", None)
    if repo is None:
        raise RuntimeError("this unit of work has no integrations repository; build it with SqlWebhookUnitOfWork")
    return cast(TrackingLookup, repo)


async def record_tracking_update(cmd: RecordTrackingUpdate, ctx: Context) -> str:
    cmd.actor.require(Permission.FULFIL)
    if cmd.status not in TRACKING_STATUSES:
        raise ValidationFailed(f"status must be one of {', '.join(TRACKING_STATUSES)}, not {cmd.status!r}.")
    number = cmd.tracking_number.strip()
    if not number or len(number) > 120:
        raise ValidationFailed("tracking_number must be 1 to 120 characters.")
    async with ctx.uow() as uow:
        if cmd.update_id and not await uow.claim_once(CONSUMER, cmd.update_id):
            return "duplicate"
        found = await _lookup(uow).orders_for_tracking(number, cmd.carrier.strip())
        if not found:
            await uow.commit()  # the claim: a replay of an unknown number is not looked up again
            return "unknown"
        order = await load_order(uow, found[0])
        assert order.id is not None
        old = order.status
        outcome = "noted"
        if cmd.status == "delivered":
            if old == OrderStatus.DELIVERED:
                outcome = "unchanged"
            else:
                try:
                    order.transition(OrderStatus.DELIVERED, ctx.now())
                except IllegalTransition as exc:
                    log.warning("tracking %s says delivered but %s", number, exc.message)
                    await uow.commit()
                    return "refused"
                _status_changed(uow, order, old, cmd.actor)
                outcome = "delivered"
        elif cmd.status == "exception":
            if old != OrderStatus.SHIPPED:
                log.warning("tracking %s reports a problem but order #%s is %s", number, order.id, old.value)
                await uow.commit()
                return "refused"
            description = " ".join(cmd.description.split())[:500]
            carrier = order.carrier or cmd.carrier
            uow.publish(events.DeliveryException(order.id, order.customer_id, carrier, number, description))
            outcome = "exception"
        await uow.commit()
        return outcome
