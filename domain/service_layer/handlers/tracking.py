"""Carrier tracking updates: a parcel handed to the carrier ships its order (named by its number, since the
shop has no tracking number for it yet), a delivered parcel moves its order to delivered, a delivery problem
is told to the shopper (``DeliveryException``); all reach the shopper through the usual order notices, once.

Orders are found by tracking number through the integrations repository that comes with the unit of work
(``uow.webhooks``, see ``domain/adapters/unit_of_work.py``).
"""

from __future__ import annotations

import logging

from domain import events
from domain.commands_tracking import TRACKING_STATUSES, RecordTrackingUpdate
from domain.errors import IllegalTransition, ValidationFailed
from domain.model.orders import TRANSITIONS, OrderStatus
from domain.model.staff import Permission
from domain.service_layer.context import Context
from domain.service_layer.handlers.orders import _status_changed, load_order, ship
from domain.service_layer.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
CONSUMER = "tracking-update"
# A parcel the carrier has was picked and packed, whatever the shop's records say; an order waiting for
# approval (or not paid) must not leave, so it is refused and logged instead.
_TO_PACKED = (OrderStatus.PICKING, OrderStatus.PACKED)
SHIPPABLE = frozenset({OrderStatus.PAID, OrderStatus.APPROVED, *_TO_PACKED})


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
        found = await uow.webhooks.orders_for_tracking(number, cmd.carrier.strip())
        if cmd.status == "shipped" and not found:
            outcome = await _ship_untracked(uow, cmd, number, ctx)
            await uow.commit()
            return outcome
        if not found:
            await uow.commit()  # the claim: a replay of an unknown number is not looked up again
            return "unknown"
        order = await load_order(uow, found[0])
        assert order.id is not None
        old = order.status
        outcome = "noted"
        if cmd.status == "shipped":
            outcome = "unchanged"  # its number is known: it shipped already
        elif cmd.status == "delivered":
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


async def _ship_untracked(uow: UnitOfWork, cmd: RecordTrackingUpdate, number: str, ctx: Context) -> str:
    if cmd.order_id is None:
        return "unknown"  # nothing names the order: like any unknown number
    if not cmd.carrier.strip():
        raise ValidationFailed("A shipped update needs the carrier.")
    order = await uow.sales.order(cmd.order_id, lock=True)
    if order is None:
        return "unknown"
    old = order.status
    if old not in SHIPPABLE:
        log.warning("tracking %s says order #%s shipped but it is %s", number, order.id, old.value)
        return "refused"
    if order.captured == 0:  # checked before the first move, so a refusal leaves the order as it was
        log.warning("tracking %s says order #%s shipped but it is not paid", number, order.id)
        return "refused"
    now = ctx.now()
    for step in _TO_PACKED:
        if step in TRANSITIONS[order.status]:
            order.transition(step, now)
    await ship(uow, order, old, cmd.carrier, number, cmd.actor, now)
    return "shipped"
