"""Order commands: checkout, cancel, fulfilment, returns."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain import commands as c
from domain import events
from domain.errors import (
    CartEmpty,
    Conflict,
    CouponNotApplicable,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    PriceChanged,
    RefundTooLarge,
    ValidationFailed,
)
from domain.model import Address, AnalyticsEvent, Cart, CouponRedemption, Order, OrderLine, Payment, Refund, Shipment
from domain.model.analytics import EventName
from domain.model.money import Money
from domain.model.orders import SHOPPER_CANCELLABLE, OrderStatus, tracking_url
from domain.model.payments import PaymentStatus, RefundStatus
from domain.model.staff import Actor, ActorKind, Permission
from domain.service_layer.context import Context
from domain.service_layer.handlers import inventory
from domain.service_layer.handlers.cart import cart_for, cart_items, evaluate_coupon
from domain.service_layer.handlers.customers import get_customer
from domain.service_layer.unit_of_work import UnitOfWork


async def load_order(uow: UnitOfWork, order_id: int, lock: bool = True) -> Order:
    order = await uow.sales.order(order_id, lock=lock)
    if order is None:
        raise NotFound(f"No order #{order_id}.")
    return order


def _status_changed(uow: UnitOfWork, order: Order, old: OrderStatus, actor: Actor) -> None:
    assert order.id is not None
    if order.status != old:
        uow.publish(events.OrderStatusChanged(order.id, order.customer_id, old.value, order.status.value, actor.name))


class _StockMoved(Exception):
    """The stock rows changed between the checkout's read and its write: try again, reading them locked."""


async def place_order(cmd: c.PlaceOrder, ctx: Context) -> int:
    """Checkout, holding the hot stock rows for as few statements as possible.

    Everything is read and written before the stock rows are locked (the order, its lines, the ledger rows,
    the holds, the outbox), planned on an unlocked read of the stock; then one conditional UPDATE locks,
    checks and reserves, and only the coupon's use and the commit follow it. If the stock moved since the
    read (a row no longer has the planned units), the transaction is given up and the checkout runs once more,
    reading the stock rows locked, so it cannot be refused twice by a race."""
    cmd.actor.require_owner_or(cmd.customer_id, Permission.MANAGE_CUSTOMERS)
    try:
        return await _place_order(cmd, ctx, lock_first=False)
    except _StockMoved:
        return await _place_order(cmd, ctx, lock_first=True)


async def _place_order(cmd: c.PlaceOrder, ctx: Context, lock_first: bool) -> int:
    address = Address.create(**{k: str(v) for k, v in cmd.shipping_address.items()})
    async with ctx.uow() as uow:
        if cmd.idempotency_key:
            previous = await uow.sales.order_by_idempotency_key(cmd.idempotency_key)
            if previous is not None and previous.id is not None:
                if previous.customer_id != cmd.customer_id:
                    raise PermissionDenied("That checkout belongs to someone else.")
                return previous.id
        customer = await get_customer(uow, cmd.customer_id)
        cart = await cart_for(uow, cmd.customer_id, ctx)
        if not cart.lines:
            raise CartEmpty()
        now = ctx.now()
        method = await uow.catalog.shipping_method(cmd.shipping_method)
        if method is None or not method.serves(address.country):
            raise ValidationFailed(f"We can't ship by {cmd.shipping_method} to {address.country}.")
        # Everything the order needs is read once, here, before any lock is taken.
        items = await cart_items(uow, cart)
        for cart_line in cart.lines:
            item = items.get(cart_line.variant_id)
            if item is None:
                raise ValidationFailed("Something in your cart is no longer sold; remove it.")
            variant, product = item
            if not variant.active or not product.is_active:
                raise ValidationFailed(f"{product.name} is no longer sold; remove it.")
            if variant.currency != cart.currency:
                raise ValidationFailed(f"{variant.sku} is priced in {variant.currency}, the cart in {cart.currency}.")
        warehouses = await uow.catalog.warehouses()
        per_line = [0] * len(cart.lines)
        free_shipping = False
        use = None
        if cart.coupon_code:
            use = await evaluate_coupon(uow, cart, cart.coupon_code, ctx, items)
            per_line, free_shipping = list(use.outcome.per_line), use.outcome.free_shipping
        lines = []
        for cart_line, discount in zip(cart.lines, per_line, strict=True):
            variant, product = items[cart_line.variant_id]
            assert variant.id is not None and variant.product_id is not None
            label = variant.label()
            lines.append(
                OrderLine(
                    variant.id,
                    variant.product_id,
                    variant.sku,
                    f"{product.name} ({label})" if label != variant.sku else product.name,
                    variant.price,
                    cart_line.quantity,
                    discount,
                )
            )
        subtotal = sum(line.subtotal for line in lines) - sum(per_line)
        shipping = 0 if free_shipping else method.quote(Money(subtotal, cart.currency)).amount
        order = Order(
            customer_id=cmd.customer_id,
            channel=cmd.channel[:16],
            currency=cart.currency,
            lines=lines,
            shipping=shipping,
            tax_rate_bp=ctx.config.tax_rate_bp,
            shipping_method=method.code,
            shipping_address=address.as_dict(),
            placed_at=now,
            coupon_code=cart.coupon_code,
            idempotency_key=cmd.idempotency_key,
        )
        if cmd.expected_total is not None and cmd.expected_total != order.total:
            raise PriceChanged(
                f"The total changed to {order.total_money} (you saw {Money(cmd.expected_total, order.currency)})."
            )
        expires_at = now + timedelta(minutes=ctx.config.reservation_minutes)
        order.reservation_expires_at = expires_at
        await uow.sales.insert_order(order)  # nothing below changes the order: it is written once, as it is
        assert order.id is not None
        if use is not None and use.coupon.id is not None:
            # A second live use with the same number is refused by the database (once per customer).
            redemption = CouponRedemption(use.coupon.id, cmd.customer_id, order.id, now)
            await uow.sales.add_redemption(redemption, use.use_number)
        customer.remember_address(address.as_dict())
        if customer.country is None:
            customer.country = address.country
        cart.clear(now)
        await uow.sales.add_analytics_rows(
            [
                AnalyticsEvent(
                    EventName.ORDER_PLACED.value,
                    now,
                    customer_id=cmd.customer_id,
                    channel=order.channel,
                    order_id=order.id,
                    value=order.total,
                )
            ]
        )
        # Written before the stock rows are locked: from the lock to the commit every other checkout of these
        # SKUs waits, so nothing but the stock UPDATE and the coupon's use happens in between.
        await uow.flush()
        variants = {variant_id: variant for variant_id, (variant, _) in items.items()}
        levels = await uow.inventory.stock_rows(list(variants), lock=lock_first)
        plan = inventory.plan_reservation(order, levels, warehouses, variants, expires_at, now)
        await uow.inventory.add_movements_and_reservations(plan.movements, plan.holds)
        uow.publish(events.OrderPlaced(order.id, order.customer_id, order.channel, order.total, order.currency))
        await uow.write_events()
        left = await uow.inventory.take_reserved(plan.quantities)  # the stock lock, to the commit
        if len(left) != len(plan.quantities):
            if lock_first:  # locked since the read, they cannot have moved: retried by the bus like a deadlock
                raise Conflict("The shop is busy; please try again.")
            raise _StockMoved()
        inventory.publish_low_stock(uow, plan, levels, variants, left)
        # Last, and after the stock rows (the order cancel and expiry take them in too): the shared coupon
        # row is held for one statement and the commit, and a code that ran out meanwhile refuses the
        # checkout with nothing changed.
        if use is not None and use.coupon.id is not None and not await uow.sales.use_coupon(use.coupon.id):
            raise CouponNotApplicable(use.coupon.code, "it has been used up.")
        await uow.commit()
        return order.id


async def _void_coupon(uow: UnitOfWork, order: Order) -> None:
    assert order.id is not None
    for redemption in await uow.sales.redemptions_of_order(order.id):
        if not redemption.voided:
            redemption.voided = True
            if order.coupon_code:
                coupon = await uow.sales.coupon_by_code(order.coupon_code, lock=True)
                if coupon is not None:
                    coupon.times_used = max(0, coupon.times_used - 1)


async def end_unpaid_order(uow: UnitOfWork, order: Order, reason: str, now: datetime, expired: bool) -> None:
    """Cancel a pending order whose payment failed or expired, giving back stock, the coupon use and the
    shopper's cart; any session still open (an invoice in another chat) is closed."""
    assert order.id is not None
    await inventory.release_holds(uow, order.id, reason, now)
    order.cancel(reason, now)
    order.reservation_expires_at = None
    await _void_coupon(uow, order)
    await close_open_payments(uow, order, reason, now)
    await restore_cart(uow, order, now)
    if expired:
        uow.publish(events.ReservationExpired(order.id, order.customer_id))
    else:
        uow.publish(events.PaymentFailed(order.id, order.customer_id, reason))


async def expire_reservations(cmd: c.ExpireReservations, ctx: Context) -> int:
    """Cancel pending orders whose reservation ran out; each in its own transaction. Returns how many."""
    now = ctx.now()
    async with ctx.uow() as uow:
        order_ids = await uow.inventory.orders_with_expired_reservations(now, cmd.limit)
    expired = 0
    for order_id in order_ids:
        async with ctx.uow() as uow:
            order = await load_order(uow, order_id)
            # Re-checked under the lock: a payment may have landed since the scan.
            if order.status != OrderStatus.PENDING_PAYMENT or order.reservation_expires_at is None:
                continue
            if order.reservation_expires_at > now:
                continue
            await end_unpaid_order(uow, order, "payment link expired", now, expired=True)
            await uow.commit()
            expired += 1
    return expired


async def cancel_order(cmd: c.CancelOrder, ctx: Context) -> list[int]:
    """Cancel and give stock back; a paid order gets pending refunds of everything captured (their ids)."""
    async with ctx.uow() as uow:
        order = await load_order(uow, cmd.order_id)
        cmd.actor.require_owner_or(order.customer_id, Permission.CANCEL_ORDER)
        if cmd.actor.kind == ActorKind.SHOPPER and order.status not in SHOPPER_CANCELLABLE:
            raise IllegalTransition(order.ref, order.status.value, OrderStatus.CANCELLED.value)
        refund_ids = await _cancel(uow, order, cmd.reason, cmd.actor, ctx.now())
        await uow.commit()
        return refund_ids


async def _cancel(uow: UnitOfWork, order: Order, reason: str, actor: Actor, now: datetime) -> list[int]:
    assert order.id is not None
    old = order.status
    await inventory.release_holds(uow, order.id, f"cancelled: {reason}"[:200], now)
    order.cancel(reason[:500] or "cancelled", now)
    order.reservation_expires_at = None
    await _void_coupon(uow, order)
    refund_ids: list[int] = []
    if order.refundable > 0:
        outstanding = order.refundable - await uow.sales.pending_refund_total(order.id)
        refund_ids = await open_refunds(uow, order, outstanding, "order cancelled", actor, now)
    await close_open_payments(uow, order, "order cancelled", now)
    if old == OrderStatus.PENDING_PAYMENT:
        await restore_cart(uow, order, now)
    uow.publish(events.OrderCancelled(order.id, order.customer_id, order.cancel_reason or "", actor.name))
    _status_changed(uow, order, old, actor)
    return refund_ids


async def close_open_payments(uow: UnitOfWork, order: Order, reason: str, now: datetime) -> None:
    """Sessions still open for an order that no longer wants money (paid another way, or cancelled) are
    closed here and, after commit, at their provider, so no page or invoice can take the money later."""
    assert order.id is not None
    for payment in await uow.sales.payments_of(order.id):
        if payment.status != PaymentStatus.PENDING:
            continue
        payment.status, payment.failure_reason, payment.completed_at = PaymentStatus.CLOSED, reason[:500], now
        if payment.id is not None and payment.session_id:
            uow.publish(events.PaymentSessionClosed(order.id, payment.id, payment.provider, payment.session_id))


async def restore_cart(uow: UnitOfWork, order: Order, now: datetime) -> None:
    """An order that ends unpaid gives the shopper their cart back, so nothing has to be found again."""
    cart = await uow.sales.cart_of(order.customer_id)
    if cart is None:
        cart = await uow.sales.add_cart(Cart(order.customer_id, order.currency, now))
    if cart.currency != order.currency:
        return
    for line in order.lines:
        cart.restore_line(line.variant_id, line.quantity, now)
    if order.coupon_code and cart.coupon_code is None:
        cart.coupon_code = order.coupon_code


async def _awaiting_decision(uow: UnitOfWork, order_id: int, actor: Actor) -> Order:
    actor.require(Permission.APPROVE_ORDER)
    order = await load_order(uow, order_id)
    if order.status != OrderStatus.AWAITING_APPROVAL:
        who = f" by {order.decided_by}" if order.decided_by else ""
        raise IllegalTransition(
            order.ref,
            order.status.value,
            OrderStatus.APPROVED.value,
            f"Order {order.ref} was already decided{who}: it is {order.status.value.replace('_', ' ')}.",
        )
    return order


async def approve_order(cmd: c.ApproveOrder, ctx: Context) -> str:
    async with ctx.uow() as uow:
        order = await _awaiting_decision(uow, cmd.order_id, cmd.actor)
        order.transition(OrderStatus.APPROVED, ctx.now())
        order.decided_by = cmd.actor.name
        _status_changed(uow, order, OrderStatus.AWAITING_APPROVAL, cmd.actor)
        await uow.commit()
        return order.status.value


async def reject_order(cmd: c.RejectOrder, ctx: Context) -> list[int]:
    """Returns the ids of the refunds opened for the shopper (the bus then asks the provider)."""
    if not cmd.reason.strip():
        raise ValidationFailed("Say why the order is rejected; the shopper will read it.")
    async with ctx.uow() as uow:
        order = await _awaiting_decision(uow, cmd.order_id, cmd.actor)
        order.decided_by = cmd.actor.name
        refund_ids = await _cancel(uow, order, f"rejected: {cmd.reason.strip()}", cmd.actor, ctx.now())
        await uow.commit()
        return refund_ids


async def open_refunds(
    uow: UnitOfWork,
    order: Order,
    amount: int,
    reason: str,
    actor: Actor,
    now: datetime,
    key: str | None = None,
    payment: Payment | None = None,
    automatic: bool = False,
) -> list[int]:
    """Open pending refunds for ``amount``, each against one captured payment and never above what that
    payment has left. Returns their ids (the provider of each payment is asked after commit).

    ``payment`` refunds exactly that one: money that arrived twice or late goes back the way it came.
    Otherwise the captured payments are taken newest first, so a refund never lands by accident on a
    payment of another provider while the latest one still holds the money.
    """
    assert order.id is not None
    if amount <= 0:
        return []
    refunds = await uow.sales.refunds_of(order.id)

    def left(p: Payment) -> int:
        taken = sum(r.amount for r in refunds if r.payment_id == p.id and r.status != RefundStatus.FAILED)
        return p.amount - taken

    if payment is not None:
        candidates = [payment]
    else:
        paid = [p for p in await uow.sales.payments_of(order.id) if p.status == PaymentStatus.SUCCEEDED]
        if not paid:
            raise ValidationFailed(f"Order {order.ref} has no captured payment to refund.")
        candidates = sorted(paid, key=lambda p: (p.completed_at or p.created_at, p.id or 0), reverse=True)
    shares: list[tuple[Payment, int]] = []
    remaining = amount
    for candidate in candidates:
        share = min(remaining, left(candidate))
        if share > 0:
            shares.append((candidate, share))
            remaining -= share
        if remaining == 0:
            break
    if remaining > 0:
        raise RefundTooLarge(
            f"Order {order.ref}'s payments have {Money(amount - remaining, order.currency)} left to refund; "
            f"{Money(amount, order.currency)} is too much."
        )
    ids = []
    for index, (candidate, share) in enumerate(shares):
        assert candidate.id is not None
        refund = Refund(order.id, candidate.id, share, order.currency, reason[:500], actor.name, now)
        # A refund split over two payments keeps the caller's key on each part, so a replay finds them all.
        refund.request_key = key if key is None or index == 0 else f"{key}#{index + 1}"
        await uow.sales.add_refund(refund)
        assert refund.id is not None
        uow.publish(
            events.RefundRequested(
                order.id,
                order.customer_id,
                refund.id,
                candidate.id,
                candidate.provider,
                share,
                order.currency,
                reason[:200],
                automatic,
            )
        )
        ids.append(refund.id)
    return ids


_ADVANCE_PERMISSION = {
    OrderStatus.PICKING: Permission.FULFIL,
    OrderStatus.PACKED: Permission.FULFIL,
    OrderStatus.DELIVERED: Permission.FULFIL,
}


async def advance_order(cmd: c.AdvanceOrder, ctx: Context) -> str:
    try:
        target = OrderStatus(cmd.target)
    except ValueError as exc:
        raise ValidationFailed(f"{cmd.target} is not an order state.") from exc
    permission = _ADVANCE_PERMISSION.get(target)
    if permission is None:
        raise ValidationFailed(f"Orders become {target.value} through their own action, not a plain move.")
    cmd.actor.require(permission)
    async with ctx.uow() as uow:
        order = await load_order(uow, cmd.order_id)
        old = order.status
        order.transition(target, ctx.now())
        if target == OrderStatus.APPROVED:
            order.decided_by = cmd.actor.name
        _status_changed(uow, order, old, cmd.actor)
        await uow.commit()
        return order.status.value


async def ship_order(cmd: c.ShipOrder, ctx: Context) -> None:
    cmd.actor.require(Permission.FULFIL)
    async with ctx.uow() as uow:
        order = await load_order(uow, cmd.order_id)
        await ship(uow, order, order.status, cmd.carrier, cmd.tracking_number, cmd.actor, ctx.now())
        await uow.commit()


async def ship(
    uow: UnitOfWork, order: Order, old: OrderStatus, carrier: str, number: str, actor: Actor, now: datetime
) -> None:
    """Ship a packed order (``ShipOrder``, and a carrier's "shipped" tracking update): stock leaves, one
    shipment, one ``OrderShipped`` and one status change from ``old`` for the shopper's notices."""
    assert order.id is not None
    order.ship(carrier, number, now)
    await inventory.ship_allocated(uow, order.id, now)
    await uow.sales.add_shipment(Shipment(order.id, order.carrier or "", order.tracking_number or "", now))
    uow.publish(
        events.OrderShipped(
            order.id,
            order.customer_id,
            order.carrier or "",
            order.tracking_number or "",
            tracking_url(order.carrier or "", order.tracking_number or ""),
        )
    )
    _status_changed(uow, order, old, actor)


async def request_return(cmd: c.RequestReturn, ctx: Context) -> None:
    async with ctx.uow() as uow:
        order = await load_order(uow, cmd.order_id)
        assert order.id is not None
        cmd.actor.require_owner_or(order.customer_id, Permission.FULFIL)
        old = order.status
        order.request_return(cmd.reason, ctx.now())
        uow.publish(events.ReturnRequested(order.id, order.customer_id, order.return_reason or ""))
        _status_changed(uow, order, old, cmd.actor)
        await uow.commit()


async def receive_return(cmd: c.ReceiveReturn, ctx: Context) -> None:
    cmd.actor.require(Permission.FULFIL)
    async with ctx.uow() as uow:
        order = await load_order(uow, cmd.order_id)
        assert order.id is not None
        old = order.status
        now = ctx.now()
        order.transition(OrderStatus.RETURNED, now)
        if cmd.restock:
            await inventory.restock_returned(uow, order.id, now)
        _status_changed(uow, order, old, cmd.actor)
        await uow.commit()


async def request_refund(cmd: c.RefundOrder, ctx: Context) -> list[int]:
    """Phase one of a refund: check the amount and record pending refunds (one per payment it comes from).

    Returns their ids; a repeated idempotency key returns the refunds opened the first time."""
    cmd.actor.require(Permission.REFUND)
    async with ctx.uow() as uow:
        order = await load_order(uow, cmd.order_id)
        assert order.id is not None
        if cmd.idempotency_key:
            previous = await uow.sales.refund_by_key(cmd.idempotency_key)
            if previous is not None and previous.id is not None:
                if previous.order_id != order.id:
                    raise ValidationFailed("That refund request was for another order.")
                key = cmd.idempotency_key
                same = [r.id for r in await uow.sales.refunds_of(order.id) if r.request_key and r.id is not None
                        and (r.request_key == key or r.request_key.startswith(f"{key}#"))]  # fmt: skip
                return same
        pending = await uow.sales.pending_refund_total(order.id)
        amount = cmd.amount if cmd.amount is not None else order.refundable - pending
        if amount <= 0:
            raise ValidationFailed(f"Order {order.ref} has nothing left to refund.")
        order.check_refund(amount + pending)
        refund_ids = await open_refunds(
            uow, order, amount, cmd.reason or "refund", cmd.actor, ctx.now(), cmd.idempotency_key
        )
        await uow.commit()
        return refund_ids
