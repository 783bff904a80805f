"""Cart commands: add, change, remove, coupons. Stock is checked here but only reserved at checkout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain import commands as c
from domain.errors import Conflict, CouponNotApplicable, NotFound, OutOfStock, ValidationFailed
from domain.model import AnalyticsEvent, Cart, Coupon, Product, Variant
from domain.model.analytics import EventName
from domain.model.cart import MAX_LINE_QUANTITY, MAX_LINES
from domain.model.coupons import CouponOutcome, EligibleLine, normalise_code
from domain.model.staff import Actor, Permission
from domain.service_layer.context import Context
from domain.service_layer.handlers.customers import get_customer
from domain.service_layer.unit_of_work import UnitOfWork


def _authorise(actor: Actor, customer_id: int) -> None:
    actor.require_owner_or(customer_id, Permission.MANAGE_CUSTOMERS)


async def cart_for(uow: UnitOfWork, customer_id: int, ctx: Context) -> Cart:
    await get_customer(uow, customer_id)
    cart = await uow.sales.cart_of(customer_id)
    if cart is None:
        cart = await uow.sales.add_cart(Cart(customer_id, ctx.config.currency, ctx.now()))
    return cart


async def sellable_variant(uow: UnitOfWork, sku: str) -> Variant:
    found = await uow.catalog.variant_with_product_by_sku(sku)
    if found is None or found[0].id is None:
        raise NotFound(f"We don't sell {sku.strip().upper() or 'that'}.")
    variant, product = found
    if not variant.active or not product.is_active:
        raise NotFound(f"{product.name} is no longer sold.")
    return variant


def _line_after_adding(cart: Cart, variant_id: int, quantity: int, at: datetime) -> int:
    """The line's quantity once ``quantity`` is added, by the cart's own rules (a copy is asked, so the
    stored line is only ever changed by the database's relative add)."""
    probe = Cart(cart.customer_id, cart.currency, at)
    for line in cart.lines:
        probe.set_quantity(line.variant_id, line.quantity, at)
    return probe.add(variant_id, quantity, at).quantity


async def add_to_cart(cmd: c.AddToCart, ctx: Context) -> int:
    _authorise(cmd.actor, cmd.customer_id)
    if cmd.quantity <= 0:
        raise ValidationFailed("Add at least one.")
    async with ctx.uow() as uow:
        cart = await cart_for(uow, cmd.customer_id, ctx)  # first: the cart read says whether the catalog is current
        assert cart.id is not None
        variant = await sellable_variant(uow, cmd.sku)
        assert variant.id is not None
        now = ctx.now()
        wanted = _line_after_adding(cart, variant.id, cmd.quantity, now)
        quantity = await uow.sales.add_to_cart_line(cart.id, variant.id, cmd.quantity, MAX_LINE_QUANTITY, MAX_LINES)
        if quantity is None:
            stock = await uow.inventory.sellable(variant.id)  # the cart advises; checkout decides
            if wanted > stock:
                raise OutOfStock(variant.sku, wanted, stock)
            # The stock was there: the line or the cart changed at the same moment elsewhere (the bus
            # runs the command again, against what is stored now).
            raise Conflict("Your cart changed at the same time elsewhere; please try again.")
        cart.updated_at = now
        await uow.sales.add_analytics(
            AnalyticsEvent(
                EventName.ADDED_TO_CART.value,
                now,
                customer_id=cmd.customer_id,
                product_id=variant.product_id,
                value=variant.price * cmd.quantity,
                properties={"sku": variant.sku, "quantity": cmd.quantity},
            )
        )
        await uow.commit()
        return quantity


async def set_cart_quantity(cmd: c.SetCartQuantity, ctx: Context) -> int:
    _authorise(cmd.actor, cmd.customer_id)
    async with ctx.uow() as uow:
        cart = await cart_for(uow, cmd.customer_id, ctx)
        variant = await uow.catalog.variant_by_sku(cmd.sku)
        if variant is None or variant.id is None:
            raise NotFound(f"We don't sell {cmd.sku.strip().upper() or 'that'}.")
        if cmd.quantity > cart.quantity_of(variant.id):
            variant = await sellable_variant(uow, cmd.sku)
            assert variant.id is not None
            stock = await uow.inventory.sellable(variant.id)  # the cart advises; checkout decides
            if cmd.quantity > stock:
                raise OutOfStock(variant.sku, cmd.quantity, stock)
        assert variant.id is not None
        cart.set_quantity(variant.id, cmd.quantity, ctx.now())
        await uow.commit()
        return cmd.quantity


async def clear_cart(cmd: c.ClearCart, ctx: Context) -> None:
    _authorise(cmd.actor, cmd.customer_id)
    async with ctx.uow() as uow:
        cart = await cart_for(uow, cmd.customer_id, ctx)
        cart.clear(ctx.now())
        await uow.commit()


#: A cart's variants, each with its product, read in one go.
CartItems = dict[int, tuple[Variant, Product]]


async def cart_items(uow: UnitOfWork, cart: Cart) -> CartItems:
    return await uow.catalog.variants_with_products([line.variant_id for line in cart.lines])


async def eligible_lines(uow: UnitOfWork, cart: Cart, items: CartItems) -> list[EligibleLine]:
    category_ids = sorted({p.category_id for _, p in items.values() if p.category_id is not None})
    lineages = await uow.catalog.category_lineages(category_ids)
    lines: list[EligibleLine] = []
    for line in cart.lines:
        variant, product = items[line.variant_id]
        assert variant.product_id is not None
        cats = lineages.get(product.category_id, frozenset()) if product.category_id is not None else frozenset()
        lines.append(EligibleLine(variant.product_id, cats, variant.price * line.quantity))
    return lines


@dataclass(frozen=True)
class CouponUse:
    coupon: Coupon
    outcome: CouponOutcome
    use_number: int | None  # which of the customer's allowed uses this would be (None: unlimited)


def next_use_number(coupon: Coupon, taken: list[int | None]) -> int | None:
    """The lowest use number the customer has free (a voided use frees its number again)."""
    if coupon.per_customer_limit is None:
        return None
    used = {n for n in taken if n is not None}
    return next((n for n in range(1, coupon.per_customer_limit + 1) if n not in used), None)


async def evaluate_coupon(
    uow: UnitOfWork, cart: Cart, code: str, ctx: Context, items: CartItems | None = None
) -> CouponUse:
    """Read without locking: at checkout the database has the last word (a conditional UPDATE of the use
    count, a unique use number per customer), so a shared code never serialises checkouts."""
    coupon = await uow.sales.coupon_by_code(code)
    if coupon is None or coupon.id is None:
        raise CouponNotApplicable(code.strip().upper(), "there is no such code.")
    if not cart.lines:
        raise CouponNotApplicable(coupon.code, "your cart is empty.")
    if items is None:
        items = await cart_items(uow, cart)
    lines = await eligible_lines(uow, cart, items)
    taken = await uow.sales.redemption_numbers(coupon.id, cart.customer_id)
    outcome = coupon.evaluate(lines, cart.currency, len(taken), ctx.now(), cart.customer_id)
    return CouponUse(coupon, outcome, next_use_number(coupon, taken))


async def apply_coupon(cmd: c.ApplyCoupon, ctx: Context) -> int:
    """Validate the code against the cart now and keep it on the cart; returns the discount."""
    _authorise(cmd.actor, cmd.customer_id)
    code = normalise_code(cmd.code)
    async with ctx.uow() as uow:
        cart = await cart_for(uow, cmd.customer_id, ctx)
        use = await evaluate_coupon(uow, cart, code, ctx)
        cart.coupon_code = code
        await uow.commit()
        return use.outcome.discount.amount


async def remove_coupon(cmd: c.RemoveCoupon, ctx: Context) -> None:
    _authorise(cmd.actor, cmd.customer_id)
    async with ctx.uow() as uow:
        cart = await cart_for(uow, cmd.customer_id, ctx)
        cart.coupon_code = None
        await uow.commit()
