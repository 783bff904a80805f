"""Shared coupon codes at checkout: counted by one conditional UPDATE after the stock rows, once per customer
by a unique use number, so a code like WELCOME10 never serialises the shop's checkouts."""

from __future__ import annotations

import asyncio

from domain import commands as c
from domain.errors import CartEmpty, CouponNotApplicable, DomainError
from domain.model.customers import Channel
from domain.model.staff import Actor
from tests.support.shopdata import ADDRESS, SmallShop


async def _times_used(small: SmallShop, code: str) -> int:
    return next(view.times_used for view in await small.shop.views.coupons() if view.code == code)


async def _mug_stock(small: SmallShop) -> int:
    view = await small.shop.views.stock("MUG-WHT")
    assert view is not None
    return view.available


async def test_a_coupon_that_runs_out_refuses_the_late_checkouts_with_a_reason_and_changes_nothing(
    small: SmallShop,
) -> None:
    bus = small.shop.bus
    await bus.handle(c.CreateCoupon("LASTTWO", "fixed", 100, usage_limit=2, per_customer_limit=None, actor=c.SYSTEM))
    customers = [int(await bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, f"late-{i}"))) for i in range(6)]
    for customer in customers:
        await bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
        await bus.handle(c.ApplyCoupon(customer, "LASTTWO", actor=Actor.shopper(customer)))

    async def checkout(customer: int) -> str:
        try:
            await bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "telegram", actor=Actor.shopper(customer)))
            return "placed"
        except CouponNotApplicable as exc:
            assert "used up" in exc.message
            return "used up"

    results = await asyncio.gather(*(checkout(cu) for cu in customers))
    assert sorted(results) == ["placed"] * 2 + ["used up"] * 4
    assert await _times_used(small, "LASTTWO") == 2
    assert await _mug_stock(small) == 48  # only the two orders hold stock
    refused = [cu for cu, result in zip(customers, results, strict=True) if result == "used up"]
    for customer in refused:
        assert await small.shop.views.orders_of(customer) == []
        assert (await small.shop.views.cart(customer)).item_count == 1  # kept, to check out without the code
    assert await small.shop.views.ledger_mismatches() == []


async def test_one_customer_checking_out_twice_at_once_uses_a_once_per_customer_code_once(small: SmallShop) -> None:
    bus = small.shop.bus
    customer = await small.customer()
    await bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    await bus.handle(c.ApplyCoupon(customer, "WELCOME10", actor=Actor.shopper(customer)))

    async def checkout() -> str:
        try:
            await bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer)))
            return "placed"
        except (CartEmpty, CouponNotApplicable):
            return "refused"
        except DomainError as exc:  # a conflict that outlived the retries is still a refusal, never two uses
            return f"refused: {exc.message}"

    results = await asyncio.gather(*(checkout() for _ in range(4)))
    assert results.count("placed") >= 1
    assert await _times_used(small, "WELCOME10") == 1
    discounts = []
    for summary in await small.shop.views.orders_of(customer):
        order = await small.shop.views.order(summary.id)
        assert order is not None
        discounts.append(order.discount)
    assert sum(1 for d in discounts if d > 0) == 1


async def test_a_use_given_back_by_a_failed_payment_can_be_taken_again_and_only_once(small: SmallShop) -> None:
    bus = small.shop.bus
    customer = await small.customer()
    await bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    await bus.handle(c.ApplyCoupon(customer, "WELCOME10", actor=Actor.shopper(customer)))
    first = await bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer)))
    link = await bus.handle(c.StartPayment(first, actor=c.SYSTEM))
    await bus.handle(c.FailPayment("sandbox", link.url.rsplit("/", 1)[1], "card declined"))
    assert await _times_used(small, "WELCOME10") == 0
    second = await bus.handle(
        c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer))
    )  # the cart came back
    order = await small.shop.views.order(second)
    assert order is not None and order.discount == 120
    assert await _times_used(small, "WELCOME10") == 1
    await bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    try:
        await bus.handle(c.ApplyCoupon(customer, "WELCOME10", actor=Actor.shopper(customer)))
    except CouponNotApplicable as exc:
        assert "already used it" in exc.message
    else:
        raise AssertionError("WELCOME10 was accepted a second time")
