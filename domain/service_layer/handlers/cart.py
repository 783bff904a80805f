"""Cart commands: add, change, remove, coupons. Stock is checked here but only reserved at checkout."""

from __future__ import annotations

from domain import commands as c
from domain.errors import NotFound, OutOfStock, ValidationFailed
from domain.model import AnalyticsEvent, Cart, Variant
from domain.model.analytics import EventName
from domain.model.coupons import CouponOutcome, EligibleLine, normalise_code
from domain.model.staff import Actor, Permission
from domain.service_layer.context import Context
from domain.service_layer.handlers.customers import get_customer
from domain.service_layer.unit_of_work import UnitOfWork


def _authorise(actor: Actor | None, customer_id: int) -> None:
    (actor or Actor.shopper(customer_id)).require_owner_or(customer_id, Permission.MANAGE_CUSTOMERS)


async def cart_for(uow: UnitOfWork, customer_id: int, ctx: Context) -> Cart:
    await get_customer(uow, customer_id)
    cart = await uow.sales.cart_of(customer_id)
    if cart is None:
        cart = await uow.sales.add_cart(Cart(customer_id, ctx.config.currency, ctx.now()))
    return cart


async def sellable_variant(uow: UnitOfWork, sku: str) -> Variant:
    variant = await uow.catalog.variant_by_sku(sku)
    if variant is None or variant.id is None or variant.product_id is None:
        raise NotFound(f"We don't sell {sku.strip().upper() or 'that'}.")
    product = await uow.catalog.product(variant.product_id)
    if not variant.active or product is None or not product.is_active:
        raise NotFound(f"{product.name if product else variant.sku} is no longer sold.")
    return variant


async def available(uow: UnitOfWork, variant_id: int) -> int:
    # Read without locking: the cart only advises; the reservation at checkout decides.
    return sum(max(0, lv.available) for lv in await uow.inventory.levels([variant_id]))


async def add_to_cart(cmd: c.AddToCart, ctx: Context) -> int:
    _authorise(cmd.actor, cmd.customer_id)
    if cmd.quantity <= 0:
        raise ValidationFailed("Add at least one.")
    async with ctx.uow() as uow:
        variant = await sellable_variant(uow, cmd.sku)
        assert variant.id is not None
        cart = await cart_for(uow, cmd.customer_id, ctx)
        wanted = cart.quantity_of(variant.id) + cmd.quantity
        stock = await available(uow, variant.id)
        if wanted > stock:
            raise OutOfStock(variant.sku, wanted, stock)
        cart.add(variant.id, cmd.quantity, ctx.now())
        await uow.sales.add_analytics(
            AnalyticsEvent(
                EventName.ADDED_TO_CART.value,
                ctx.now(),
                customer_id=cmd.customer_id,
                product_id=variant.product_id,
                value=variant.price * cmd.quantity,
                properties={"sku": variant.sku, "quantity": cmd.quantity},
            )
        )
        await uow.commit()
        return cart.quantity_of(variant.id)


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
            stock = await available(uow, variant.id)
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


async def eligible_lines(uow: UnitOfWork, cart: Cart) -> tuple[list[EligibleLine], dict[int, Variant]]:
    variants = await uow.catalog.variants([line.variant_id for line in cart.lines])
    products = await uow.catalog.products([v.product_id for v in variants.values() if v.product_id is not None])
    lines: list[EligibleLine] = []
    lineage_cache: dict[int, frozenset[int]] = {}
    for line in cart.lines:
        variant = variants[line.variant_id]
        assert variant.product_id is not None
        product = products[variant.product_id]
        cats: frozenset[int] = frozenset()
        if product.category_id is not None:
            if product.category_id not in lineage_cache:
                lineage = await uow.catalog.category_lineage(product.category_id)
                lineage_cache[product.category_id] = frozenset(cat.id for cat in lineage if cat.id is not None)
            cats = lineage_cache[product.category_id]
        lines.append(EligibleLine(variant.product_id, cats, variant.price * line.quantity))
    return lines, variants


async def evaluate_coupon(uow: UnitOfWork, cart: Cart, code: str, ctx: Context, lock: bool = False) -> CouponOutcome:
    from domain.errors import CouponNotApplicable

    coupon = await uow.sales.coupon_by_code(code, lock=lock)
    if coupon is None or coupon.id is None:
        raise CouponNotApplicable(code.strip().upper(), "there is no such code.")
    if not cart.lines:
        raise CouponNotApplicable(coupon.code, "your cart is empty.")
    lines, _ = await eligible_lines(uow, cart)
    uses = await uow.sales.redemptions_by(coupon.id, cart.customer_id)
    return coupon.evaluate(lines, cart.currency, uses, ctx.now(), cart.customer_id)


async def apply_coupon(cmd: c.ApplyCoupon, ctx: Context) -> int:
    """Validate the code against the cart now and keep it on the cart; returns the discount."""
    _authorise(cmd.actor, cmd.customer_id)
    code = normalise_code(cmd.code)
    async with ctx.uow() as uow:
        cart = await cart_for(uow, cmd.customer_id, ctx)
        outcome = await evaluate_coupon(uow, cart, code, ctx)
        cart.coupon_code = code
        await uow.commit()
        return outcome.discount.amount


async def remove_coupon(cmd: c.RemoveCoupon, ctx: Context) -> None:
    _authorise(cmd.actor, cmd.customer_id)
    async with ctx.uow() as uow:
        cart = await cart_for(uow, cmd.customer_id, ctx)
        cart.coupon_code = None
        await uow.commit()
