"""Coupons: list, get, create, redefine, disable and enable (scope ``coupons:write``, the domain's
MANAGE_COUPONS; apart from products, since a code gives money away)."""

from __future__ import annotations

from admin_api.rest import schemas as s
from admin_api.rest.deps import deps
from admin_api.rest.registry import Call, Reply
from admin_api.rest.routes import API
from domain import commands as c
from domain.errors import NotFound, ValidationFailed
from domain.model.coupons import normalise_code
from domain.model.staff import Actor
from domain.views.models import CouponView

CODE = {"code": "the coupon's code (any case)"}


def coupon_out(x: CouponView) -> s.CouponOut:
    return s.CouponOut(
        code=x.code,
        kind=x.kind,  # type: ignore[arg-type]
        value=x.value,
        min_subtotal=s.money(x.min_subtotal, x.currency),
        starts_at=x.starts_at,
        ends_at=x.ends_at,
        usage_limit=x.usage_limit,
        per_customer_limit=x.per_customer_limit,
        times_used=x.times_used,
        active=x.active,
        description=x.description,
        personal_codes=x.personal_codes,
        personal_used=x.personal_used,
    )


async def load_coupon(call: Call, code: str) -> s.CouponOut:
    try:
        wanted = normalise_code(code)
    except ValidationFailed:  # a code that cannot exist is simply not found
        raise NotFound(f"No coupon {code[:40]}.") from None
    for x in await deps(call.request).views.coupons():
        if x.code == wanted:
            return coupon_out(x)
    raise NotFound(f"No coupon {wanted}.")


def command(code: str, b: s.CouponDefinition, actor: Actor, exists: bool) -> c.CreateCoupon:
    value = b.percent_bp if b.kind == "percent" else b.amount.amount if b.amount else 0
    currencies = {m.currency for m in (b.amount, b.min_subtotal) if m is not None}
    if len(currencies) > 1:
        currencies = {"mixed"}  # the domain refuses a currency other than the shop's
    return c.CreateCoupon(
        code,
        b.kind,
        value or 0,
        min_subtotal=b.min_subtotal.amount if b.min_subtotal else 0,
        usage_limit=b.usage_limit,
        per_customer_limit=1 if b.once_per_customer else None,
        starts_at=b.starts_at.isoformat() if b.starts_at else None,
        ends_at=b.ends_at.isoformat() if b.ends_at else None,
        product_slugs=tuple(b.products),
        category_slugs=tuple(b.categories),
        description=b.description,
        actor=actor,
        exists=exists,
        currency=next(iter(currencies), None),
    )


@API.operation(
    "GET",
    "/coupons",
    scope="coupons:read",
    summary="Coupons for everyone, with uses",
    tag="coupons",
    responses={200: s.CouponList},
    description="Personal single-use codes are counted under the template they came from.",
)
async def list_coupons(call: Call) -> Reply:
    return Reply(200, s.CouponList(items=[coupon_out(x) for x in await deps(call.request).views.coupons()]))


@API.operation(
    "GET",
    "/coupons/{code}",
    scope="coupons:read",
    summary="Get a coupon",
    tag="coupons",
    path_params=CODE,
    responses={200: s.CouponOut},
)
async def get_coupon(call: Call) -> Reply:
    return Reply(200, await load_coupon(call, call.path["code"]))


@API.operation(
    "POST",
    "/coupons",
    scope="coupons:write",
    summary="Create a coupon",
    tag="coupons",
    body=s.CouponIn,
    responses={201: s.CouponOut},
    description="Percent (basis points) or a fixed amount in minor units, or free shipping; a code that exists "
    "is a conflict (redefine it with `POST /coupons/{code}`).",
)
async def create_coupon(call: Call) -> Reply:
    b: s.CouponIn = call.body
    await deps(call.request).bus.handle(command(b.code, b, call.actor, exists=False))
    return Reply(201, await load_coupon(call, b.code))


@API.operation(
    "POST",
    "/coupons/{code}",
    scope="coupons:write",
    summary="Redefine a coupon",
    tag="coupons",
    path_params=CODE,
    body=s.CouponDefinition,
    responses={200: s.CouponOut},
    description="Replaces its whole definition; whether it is enabled and how often it was used are kept.",
)
async def update_coupon(call: Call) -> Reply:
    code = call.path["code"]
    await load_coupon(call, code)  # an impossible code is a 404 before the domain reads it
    await deps(call.request).bus.handle(command(code, call.body, call.actor, exists=True))
    return Reply(200, await load_coupon(call, code))


@API.operation(
    "POST",
    "/coupons/{code}/disable",
    scope="coupons:write",
    summary="Stop a coupon working",
    tag="coupons",
    path_params=CODE,
    responses={200: s.CouponOut},
    description="Carts holding it lose it at checkout; personal codes issued from it keep working.",
)
async def disable_coupon(call: Call) -> Reply:
    code = call.path["code"]
    await load_coupon(call, code)
    await deps(call.request).bus.handle(c.DisableCoupon(code, actor=call.actor))
    return Reply(200, await load_coupon(call, code))


@API.operation(
    "POST",
    "/coupons/{code}/enable",
    scope="coupons:write",
    summary="Let a disabled coupon work again",
    tag="coupons",
    path_params=CODE,
    responses={200: s.CouponOut},
)
async def enable_coupon(call: Call) -> Reply:
    code = call.path["code"]
    await load_coupon(call, code)
    await deps(call.request).bus.handle(c.EnableCoupon(code, actor=call.actor))
    return Reply(200, await load_coupon(call, code))
