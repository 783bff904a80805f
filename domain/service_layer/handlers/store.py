"""Store set-up commands: shipping methods and coupons."""

from __future__ import annotations

from datetime import datetime

from domain import commands as c
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.model import Coupon, CouponKind, ShippingMethod
from domain.model.coupons import normalise_code
from domain.model.shipping import valid_country
from domain.model.staff import Permission
from domain.service_layer.context import Context


async def create_shipping_method(cmd: c.CreateShippingMethod, ctx: Context) -> int:
    cmd.actor.require(Permission.MANAGE_CATALOG)
    if cmd.price < 0 or (cmd.free_over is not None and cmd.free_over < 0):
        raise ValidationFailed("Shipping prices can't be negative.")
    countries = [valid_country(code) for code in cmd.countries]
    async with ctx.uow() as uow:
        method = await uow.sales.shipping_method(cmd.code)
        if method is None:
            method = await uow.sales.add_shipping_method(
                ShippingMethod(
                    cmd.code,
                    cmd.name,
                    cmd.price,
                    ctx.config.currency,
                    countries,
                    cmd.free_over,
                    cmd.min_days,
                    cmd.max_days,
                )
            )
        else:
            method.name, method.price, method.countries = cmd.name, cmd.price, countries
            method.free_over, method.min_days, method.max_days = cmd.free_over, cmd.min_days, cmd.max_days
        await uow.commit()
        assert method.id is not None
        return method.id


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(f"{value} is not a date/time (use 2026-12-31 or 2026-12-31T23:59+00:00).") from exc
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


async def _set_coupon_active(code: str, active: bool, ctx: Context) -> None:
    async with ctx.uow() as uow:
        coupon = await uow.sales.coupon_by_code(normalise_code(code), lock=True)
        if coupon is None:
            raise NotFound(f"No coupon {normalise_code(code)}.")
        coupon.active = active
        await uow.commit()


async def disable_coupon(cmd: c.DisableCoupon, ctx: Context) -> None:
    cmd.actor.require(Permission.MANAGE_COUPONS)
    await _set_coupon_active(cmd.code, False, ctx)


async def enable_coupon(cmd: c.EnableCoupon, ctx: Context) -> None:
    cmd.actor.require(Permission.MANAGE_COUPONS)
    await _set_coupon_active(cmd.code, True, ctx)


async def create_coupon(cmd: c.CreateCoupon, ctx: Context) -> int:
    cmd.actor.require(Permission.MANAGE_COUPONS)
    if cmd.currency is not None and cmd.currency != ctx.config.currency:
        raise ValidationFailed(f"The shop sells in {ctx.config.currency}; a coupon's amounts are in it too.")
    try:
        kind = CouponKind(cmd.kind)
    except ValueError as exc:
        raise ValidationFailed("A coupon is percent, fixed or free_shipping.") from exc
    async with ctx.uow() as uow:
        product_ids = []
        for slug in cmd.product_slugs:
            product = await uow.catalog.product_by_slug(slug)
            if product is None or product.id is None:
                raise NotFound(f"No product {slug}.")
            product_ids.append(product.id)
        category_ids = []
        for slug in cmd.category_slugs:
            category = await uow.catalog.category_by_slug(slug)
            if category is None or category.id is None:
                raise NotFound(f"No category {slug}.")
            category_ids.append(category.id)
        coupon = await uow.sales.coupon_by_code(normalise_code(cmd.code), lock=True)
        if coupon is not None and cmd.exists is False:
            raise Conflict(f"There is already a coupon {coupon.code}.")
        if coupon is None and cmd.exists:
            raise NotFound(f"No coupon {normalise_code(cmd.code)}.")
        fresh = Coupon(
            cmd.code,
            kind,
            cmd.value,
            ctx.config.currency,
            cmd.min_subtotal,
            _when(cmd.starts_at),
            _when(cmd.ends_at),
            cmd.usage_limit,
            cmd.per_customer_limit,
            product_ids,
            category_ids,
            description=cmd.description,
        )
        if coupon is None:
            coupon = await uow.sales.add_coupon(fresh)
        else:
            for attr in (
                "kind",
                "value",
                "currency",
                "min_subtotal",
                "starts_at",
                "ends_at",
                "usage_limit",
                "per_customer_limit",
                "product_ids",
                "category_ids",
                "description",
            ):
                setattr(coupon, attr, getattr(fresh, attr))
            coupon.active = coupon.active if cmd.exists else True
        await uow.commit()
        assert coupon.id is not None
        return coupon.id
