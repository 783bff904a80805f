"""Orders from other sales channels (issue 18): placed like a chat checkout, from a list of SKUs."""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email

from domain import commands as c
from domain import events
from domain.errors import Conflict, ValidationFailed
from domain.model import Address, ChannelIdentity, Customer, Order, OrderLine, Payment
from domain.model.customers import Channel
from domain.model.money import Money
from domain.model.payments import PaymentStatus
from domain.model.sales_channels import CHANNEL_NAME, EXTERNAL_PROVIDER, OWN_CHANNELS
from domain.model.staff import Permission
from domain.service_layer.context import Context
from domain.service_layer.handlers import inventory
from domain.service_layer.handlers.payments import _pay_order
from domain.service_layer.unit_of_work import UnitOfWork

MAX_LINES = 100


async def _customer(uow: UnitOfWork, cmd: c.PlaceExternalOrder, country: str, ctx: Context) -> Customer:
    try:
        email = validate_email(cmd.customer_email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationFailed(f"{cmd.customer_email} is not an e-mail address: {exc}") from exc
    customer = await uow.customers.by_identity(Channel.EMAIL, email.lower())
    if customer is not None:
        return customer
    now = ctx.now()
    customer = await uow.customers.add(
        Customer(cmd.customer_name.strip()[:200], email=email, country=country, created_at=now)
    )
    assert customer.id is not None
    await uow.customers.add_identity(ChannelIdentity(customer.id, Channel.EMAIL, email.lower(), now))
    uow.publish(events.CustomerCreated(customer.id, cmd.channel))
    return customer


async def place_external_order(cmd: c.PlaceExternalOrder, ctx: Context) -> int:
    cmd.actor.require(Permission.FULFIL)
    if not CHANNEL_NAME.match(cmd.channel) or cmd.channel in OWN_CHANNELS:
        raise ValidationFailed(
            f"{cmd.channel!r} can't name another sales channel: 2–16 lower-case letters, digits, - or _, "
            f"and not one of the shop's own ({', '.join(sorted(OWN_CHANNELS))})."
        )
    if not cmd.external_id.strip() or len(cmd.external_id) > 100:
        raise ValidationFailed("The order's id in its channel must be 1 to 100 characters.")
    if not cmd.lines or len(cmd.lines) > MAX_LINES:
        raise ValidationFailed(f"An order needs 1 to {MAX_LINES} lines.")
    address = Address.create(**{k: str(v) for k, v in cmd.shipping_address.items()})
    external_id = cmd.external_id.strip()
    async with ctx.uow() as uow:
        previous = await uow.sales.order_by_external_id(cmd.channel, external_id)
        if previous is not None and previous.id is not None:
            return previous.id
        method = await uow.sales.shipping_method(cmd.shipping_method)
        if method is None or not method.serves(address.country):
            raise ValidationFailed(f"We can't ship by {cmd.shipping_method} to {address.country}.")
        quantities: dict[str, int] = {}
        for sku, quantity in cmd.lines:
            if quantity <= 0:
                raise ValidationFailed(f"{sku}: a quantity must be at least 1.")
            quantities[sku.strip().upper()] = quantities.get(sku.strip().upper(), 0) + quantity
        variants = {}
        for sku in quantities:
            variant = await uow.catalog.variant_by_sku(sku)
            if variant is None or variant.id is None:
                raise ValidationFailed(f"No product with SKU {sku}.")
            variants[variant.id] = variant
        items = await uow.catalog.variants_with_products(list(variants))
        lines = []
        for variant_id, (variant, product) in items.items():
            if not variant.active or not product.is_active:
                raise ValidationFailed(f"{variant.sku} is no longer sold.")
            if variant.currency != ctx.config.currency:
                raise ValidationFailed(f"{variant.sku} is priced in {variant.currency}, not {ctx.config.currency}.")
            assert variant.product_id is not None
            label = variant.label()
            name = f"{product.name} ({label})" if label != variant.sku else product.name
            lines.append(
                OrderLine(variant_id, variant.product_id, variant.sku, name, variant.price, quantities[variant.sku], 0)
            )
        customer = await _customer(uow, cmd, address.country, ctx)
        assert customer.id is not None
        now = ctx.now()
        subtotal = sum(line.subtotal for line in lines)
        order = Order(
            customer_id=customer.id,
            channel=cmd.channel,
            currency=ctx.config.currency,
            lines=lines,
            shipping=method.quote(Money(subtotal, ctx.config.currency)).amount,
            tax_rate_bp=ctx.config.tax_rate_bp,
            shipping_method=method.code,
            shipping_address=address.as_dict(),
            placed_at=now,
            external_id=external_id,
        )
        expires_at = now + timedelta(minutes=ctx.config.reservation_minutes)
        order.reservation_expires_at = expires_at
        await uow.sales.add_order(order)
        assert order.id is not None
        customer.remember_address(address.as_dict())
        await uow.flush()
        # Another channel's orders are few: plan on the stock rows read locked, so the reservation can't race.
        levels = await uow.inventory.stock_rows(list(variants), lock=True)
        warehouses = await uow.inventory.warehouses()
        plan = inventory.plan_reservation(order, levels, warehouses, variants, expires_at, now)
        await uow.inventory.add_movements_and_reservations(plan.movements, plan.holds)
        left = await uow.inventory.take_reserved(plan.quantities)
        if len(left) != len(plan.quantities):  # locked since the read: can't happen; retried by the bus if it does
            raise Conflict("The shop is busy; please try again.")
        inventory.publish_low_stock(uow, plan, levels, variants, left)
        uow.publish(events.OrderPlaced(order.id, order.customer_id, order.channel, order.total, order.currency))
        if cmd.paid:
            payment = Payment(order.id, EXTERNAL_PROVIDER, order.total, order.currency, now, None)
            reference = f"{cmd.channel}:{external_id}"  # the money was taken there, under the order's id there
            payment.session_id = payment.provider_payment_id = reference
            await uow.sales.add_payment(payment)
            await uow.flush()
            payment.status, payment.completed_at = PaymentStatus.SUCCEEDED, now
            await _pay_order(uow, order, payment, EXTERNAL_PROVIDER, ctx, now)
        await uow.commit()
        return order.id
