"""Checkout, payment and reservation behaviour on real SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from domain import commands as c
from domain.adapters import orm
from domain.errors import (
    CartEmpty,
    CouponNotApplicable,
    IllegalTransition,
    OutOfStock,
    PaymentExpired,
    PermissionDenied,
    PriceChanged,
    RefundTooLarge,
    ValidationFailed,
)
from domain.model.staff import Actor, Role
from tests.support.shopdata import ADDRESS, SmallShop

OPERATOR = Actor.staff("olga", Role.OPERATOR)
APPROVER = Actor.staff("abe", Role.APPROVER)


async def pay(small: SmallShop, order_id: int) -> str:
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    order = await small.shop.views.order(order_id)
    assert order is not None
    return str(await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, order.currency)))


async def available(small: SmallShop, sku: str) -> int:
    view = await small.shop.views.stock(sku)
    assert view is not None
    return view.available


async def test_checkout_freezes_totals_and_reserves_stock(small: SmallShop) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer, quantity=2)
    order = await small.shop.views.order(order_id)
    assert order is not None
    assert (order.status, order.subtotal, order.shipping, order.total) == ("pending_payment", 16000, 0, 16000)
    assert await available(small, "SHOE-RED-42") == 6
    assert (await small.shop.views.cart(customer)).lines == ()
    assert await small.shop.views.ledger_mismatches() == []


async def test_allocation_prefers_one_warehouse_that_can_ship_everything(small: SmallShop) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer, quantity=4)  # EAST (priority 1) has 3, WEST has 5
    await pay(small, order_id)
    lists = await small.shop.views.packing_lists(order_id)
    assert [(p.warehouse_code, p.lines[0].quantity) for p in lists] == [("WEST", 4)]


async def test_allocation_splits_across_warehouses_when_no_single_one_suffices(small: SmallShop) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer, quantity=7)
    await pay(small, order_id)
    lists = await small.shop.views.packing_lists(order_id)
    assert sorted((p.warehouse_code, p.lines[0].quantity) for p in lists) == [("EAST", 3), ("WEST", 4)]


async def test_checkout_refuses_more_than_is_in_stock_and_changes_nothing(small: SmallShop) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "SHOE-BLU-42", 2, actor=Actor.shopper(customer)))
    await small.shop.bus.handle(c.AdjustStock("SHOE-BLU-42", "WEST", -1, "damaged in storage", actor=c.SYSTEM))
    with pytest.raises(OutOfStock) as err:
        await small.shop.bus.handle(
            c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer))
        )
    assert err.value.available == 1
    assert "Only 1 of SHOE-BLU-42 left" in err.value.message
    assert (await small.shop.views.cart(customer)).item_count == 2  # the cart is kept for the shopper to fix
    assert await small.shop.views.orders_of(customer) == []


async def close_warehouse(small: SmallShop, code: str) -> None:
    """Take a warehouse out of service as staff would (no command does it yet): its stock stays on hand."""
    async with small.shop.engine.begin() as conn:
        await conn.execute(update(orm.warehouses).where(orm.warehouses.c.code == code).values(active=False))


async def test_a_shopper_may_wait_for_stock_that_only_an_inactive_warehouse_holds(small: SmallShop) -> None:
    await close_warehouse(small, "WEST")  # all of SHOE-BLU-42's units: on hand, but nothing checkout may sell
    customer = await small.customer()
    answer = await small.shop.bus.handle(
        c.SubscribeToStock(customer, "SHOE-BLU-42", "webchat", actor=Actor.shopper(customer))
    )
    assert answer.status == "subscribed"  # not "in_stock": the cart would refuse it


async def test_the_cart_refuses_stock_that_only_an_inactive_warehouse_holds_as_checkout_does(
    small: SmallShop,
) -> None:
    await close_warehouse(small, "WEST")  # SHOE-BLU-42's 2 units are all there; SHOE-RED-42 keeps EAST's 3 of 8
    customer = await small.customer()
    shopper = Actor.shopper(customer)
    with pytest.raises(OutOfStock) as blue:
        await small.shop.bus.handle(c.AddToCart(customer, "SHOE-BLU-42", 1, actor=shopper))
    assert blue.value.available == 0
    with pytest.raises(OutOfStock) as red:
        await small.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 4, actor=shopper))
    assert red.value.available == 3
    await small.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 3, actor=shopper))
    with pytest.raises(OutOfStock):
        await small.shop.bus.handle(c.SetCartQuantity(customer, "SHOE-RED-42", 4, actor=shopper))
    # What the cart took, checkout sells: the cart and checkout count the same stock.
    order_id = await small.shop.bus.handle(c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=shopper))
    order = await small.shop.views.order(order_id)
    assert order is not None and [line.quantity for line in order.lines] == [3]


async def test_checkout_with_an_empty_cart_says_so(small: SmallShop) -> None:
    with pytest.raises(CartEmpty):
        await small.shop.bus.handle(
            c.PlaceOrder(await small.customer(), ADDRESS, "standard", "webchat", actor=c.SYSTEM)
        )


async def test_checkout_rejects_a_bad_address_with_the_field_to_fix(small: SmallShop) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    with pytest.raises(ValidationFailed, match="not a valid postal code for US"):
        await small.shop.bus.handle(
            c.PlaceOrder(
                customer, ADDRESS | {"postal_code": "ABC"}, "standard", "webchat", actor=Actor.shopper(customer)
            )
        )
    with pytest.raises(ValidationFailed, match="not a country we know"):
        await small.shop.bus.handle(
            c.PlaceOrder(customer, ADDRESS | {"country": "XX"}, "standard", "webchat", actor=Actor.shopper(customer))
        )


async def test_checkout_refuses_a_shipping_method_that_does_not_serve_the_country(small: SmallShop) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    german = ADDRESS | {"country": "DE", "postal_code": "10115", "city": "Berlin"}
    with pytest.raises(ValidationFailed, match="can't ship by express to DE"):
        await small.shop.bus.handle(c.PlaceOrder(customer, german, "express", "webchat", actor=Actor.shopper(customer)))


async def test_same_idempotency_key_returns_the_same_order(small: SmallShop) -> None:
    customer = await small.customer()
    first = await small.checkout(customer, idempotency_key="checkout-abc")
    again = await small.shop.bus.handle(
        c.PlaceOrder(
            customer, ADDRESS, "standard", "webchat", idempotency_key="checkout-abc", actor=Actor.shopper(customer)
        )
    )
    assert again == first
    assert len(await small.shop.views.orders_of(customer)) == 1


async def test_checkout_fails_when_the_price_changed_since_the_shopper_saw_it(small: SmallShop) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    shown = 1200 + 500
    await small.shop.bus.handle(
        c.UpsertProduct(
            "Hearth Ceramic Mug",
            (c.VariantSpec("MUG-WHT", 1500, {"color": "white"}),),
            ("Home", "Mugs"),
            brand="Hearth",
            actor=c.SYSTEM,
        )
    )
    with pytest.raises(PriceChanged, match="changed to 20.00 USD"):
        await small.shop.bus.handle(
            c.PlaceOrder(customer, ADDRESS, "standard", "webchat", expected_total=shown, actor=Actor.shopper(customer))
        )


async def test_payment_confirms_once_and_allocates_reserved_stock(small: SmallShop) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer, quantity=2)
    assert await pay(small, order_id) == "paid"
    order = await small.shop.views.order(order_id)
    assert order is not None and order.captured == 16000 and order.reservation_expires_at is None
    stock = await small.shop.views.stock("SHOE-RED-42")
    assert stock is not None
    assert sum(r.allocated for r in stock.rows) == 2 and sum(r.reserved for r in stock.rows) == 0
    assert await small.shop.views.ledger_mismatches() == []


async def test_replayed_payment_confirmation_changes_nothing(small: SmallShop) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    session_id = link.url.rsplit("/", 1)[1]
    for _ in range(3):
        await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, 8000 + 500, "USD"))
    order = await small.shop.views.order(order_id)
    assert order is not None and order.captured == 8500
    stock = await small.shop.views.stock("SHOE-RED-42")
    assert stock is not None and sum(r.allocated for r in stock.rows) == 1


async def test_payment_link_is_reused_and_expires_with_the_reservation(small: SmallShop) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer)
    first = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    second = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    order = await small.shop.views.order(order_id)
    assert order is not None
    assert first.url == second.url and first.expires_at == order.reservation_expires_at


async def test_checkout_releases_reservation_when_payment_link_expires(small: SmallShop, clock) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer, quantity=3)
    await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    assert await available(small, "SHOE-RED-42") == 5
    clock.advance(minutes=14)
    assert await small.shop.bus.handle(c.ExpireReservations()) == 0
    clock.advance(minutes=2)
    assert await small.shop.bus.handle(c.ExpireReservations()) == 1
    order = await small.shop.views.order(order_id)
    assert order is not None and (order.status, order.cancel_reason) == ("cancelled", "payment link expired")
    assert await available(small, "SHOE-RED-42") == 8
    with pytest.raises(IllegalTransition):
        await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    assert await small.shop.views.ledger_mismatches() == []


async def test_payment_link_cannot_be_started_after_the_reservation_ran_out(small: SmallShop, clock) -> None:
    order_id = await small.checkout(await small.customer())
    clock.advance(minutes=16)
    with pytest.raises(PaymentExpired):
        await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))


async def test_failed_payment_releases_stock_gives_the_coupon_back_and_restores_the_cart(small: SmallShop) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 3, actor=Actor.shopper(customer)))
    await small.shop.bus.handle(c.ApplyCoupon(customer, "welcome10", actor=Actor.shopper(customer)))
    order_id = await small.shop.bus.handle(
        c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer))
    )
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    await small.shop.bus.handle(c.FailPayment("sandbox", link.url.rsplit("/", 1)[1], "card declined"))
    order = await small.shop.views.order(order_id)
    assert order is not None and order.status == "cancelled" and "card declined" in (order.cancel_reason or "")
    assert await available(small, "MUG-WHT") == 50
    cart = await small.shop.views.cart(customer)  # the shopper finds their cart as it was
    assert [(line.sku, line.quantity) for line in cart.lines] == [("MUG-WHT", 3)]
    assert (
        await small.shop.bus.handle(c.ApplyCoupon(customer, "WELCOME10", actor=Actor.shopper(customer))) == 360
    )  # usable again


async def test_payment_arriving_after_expiry_is_refunded_not_shipped(small: SmallShop, clock) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    await small.shop.sandbox.settle(link.url.rsplit("/", 1)[1], "paid")  # paid at the last second...
    clock.advance(minutes=20)
    await small.shop.bus.handle(c.ExpireReservations())  # ...but the expiry job ran before the webhook came
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", link.url.rsplit("/", 1)[1], 8500, "USD"))
    order = await small.shop.views.order(order_id)
    assert order is not None and order.status == "cancelled" and order.captured == 8500
    assert await small.shop.bus.handle(c.ExpireReservations()) == 0
    from domain.service_layer.handlers.payments import retry_pending_refunds

    clock.advance(minutes=5)
    assert await retry_pending_refunds(small.shop.bus.ctx) == 1
    order = await small.shop.views.order(order_id)
    assert order is not None and (order.status, order.refunded) == ("refunded", 8500)


async def test_coupon_reasons_tell_the_shopper_what_to_do(small: SmallShop, clock) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    with pytest.raises(CouponNotApplicable, match="add 18.00 USD more"):
        await small.shop.bus.handle(c.ApplyCoupon(customer, "FIVEOFF", actor=Actor.shopper(customer)))
    with pytest.raises(CouponNotApplicable, match="no such code"):
        await small.shop.bus.handle(c.ApplyCoupon(customer, "NOPE", actor=Actor.shopper(customer)))
    await small.shop.bus.handle(c.CreateCoupon("OLD", "percent", 500, ends_at="2026-01-01", actor=c.SYSTEM))
    with pytest.raises(CouponNotApplicable, match="expired on 2026-01-01"):
        await small.shop.bus.handle(c.ApplyCoupon(customer, "OLD", actor=Actor.shopper(customer)))


async def test_coupon_discount_is_frozen_on_the_order_and_used_once_per_customer(small: SmallShop) -> None:
    customer = await small.customer()
    await small.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 1, actor=Actor.shopper(customer)))
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    assert await small.shop.bus.handle(c.ApplyCoupon(customer, "WELCOME10", actor=Actor.shopper(customer))) == 920
    order_id = await small.shop.bus.handle(
        c.PlaceOrder(customer, ADDRESS, "standard", "webchat", actor=Actor.shopper(customer))
    )
    order = await small.shop.views.order(order_id)
    assert order is not None
    assert (order.subtotal, order.discount, order.shipping, order.total) == (9200, 920, 500, 8780)
    assert sum(line.discount for line in order.lines) == 920
    await small.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 1, actor=Actor.shopper(customer)))
    with pytest.raises(CouponNotApplicable, match="already used it"):
        await small.shop.bus.handle(c.ApplyCoupon(customer, "WELCOME10", actor=Actor.shopper(customer)))


async def test_shopper_cancels_a_paid_order_and_is_refunded_in_full(small: SmallShop) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer, quantity=2)
    await pay(small, order_id)
    await small.shop.bus.cancel(c.CancelOrder(order_id, "changed my mind", actor=Actor.shopper(customer)))
    order = await small.shop.views.order(order_id)
    assert order is not None and (order.status, order.refunded) == ("refunded", 16000)
    assert await available(small, "SHOE-RED-42") == 8
    assert await small.shop.views.ledger_mismatches() == []


async def test_shopper_cannot_cancel_once_picking_started_or_someone_elses_order(small: SmallShop) -> None:
    customer = await small.customer()
    other = await small.customer("web-2", "Bob")
    order_id = await small.checkout(customer)
    await pay(small, order_id)
    with pytest.raises(PermissionDenied):
        await small.shop.bus.handle(c.CancelOrder(order_id, "mine now", actor=Actor.shopper(other)))
    await small.shop.bus.handle(c.AdvanceOrder(order_id, "picking", actor=OPERATOR))
    with pytest.raises(IllegalTransition, match="is picking and can't become cancelled"):
        await small.shop.bus.handle(c.CancelOrder(order_id, "too late", actor=Actor.shopper(customer)))


async def test_a_viewer_cannot_refund_whatever_the_button_says(small: SmallShop) -> None:
    order_id = await small.checkout(await small.customer())
    await pay(small, order_id)
    with pytest.raises(PermissionDenied, match="takes an approver"):
        await small.shop.bus.refund(c.RefundOrder(order_id, 100, "goodwill", actor=Actor.staff("vic", Role.VIEWER)))


async def test_partial_refunds_never_exceed_what_was_captured(small: SmallShop) -> None:
    order_id = await small.checkout(await small.customer())
    await pay(small, order_id)
    assert await small.shop.bus.refund(c.RefundOrder(order_id, 3000, "scuffed", actor=APPROVER)) == "succeeded"
    with pytest.raises(RefundTooLarge, match="55.00 USD left to refund"):
        await small.shop.bus.refund(c.RefundOrder(order_id, 6000, "more", actor=APPROVER))
    assert await small.shop.bus.refund(c.RefundOrder(order_id, None, "rest", actor=APPROVER)) == "succeeded"
    order = await small.shop.views.order(order_id)
    assert order is not None and (order.status, order.refunded, order.financial_status) == (
        "refunded",
        8500,
        "refunded",
    )


async def test_a_double_clicked_refund_refunds_once(small: SmallShop) -> None:
    order_id = await small.checkout(await small.customer())
    await pay(small, order_id)
    for _ in range(2):
        await small.shop.bus.refund(c.RefundOrder(order_id, 1000, "late", actor=APPROVER, idempotency_key="slack-123"))
    order = await small.shop.views.order(order_id)
    assert order is not None and order.refunded == 1000


async def test_an_unpaid_order_cannot_ship(small: SmallShop) -> None:
    order_id = await small.checkout(await small.customer())
    with pytest.raises(IllegalTransition):
        await small.shop.bus.handle(c.ShipOrder(order_id, "UPS", "1Z999", actor=OPERATOR))


async def test_fulfilment_ships_from_allocations_and_returns_restock(small: SmallShop) -> None:
    customer = await small.customer()
    order_id = await small.checkout(customer, quantity=2)
    await pay(small, order_id)
    for target in ("picking", "packed"):
        await small.shop.bus.handle(c.AdvanceOrder(order_id, target, actor=OPERATOR))
    await small.shop.bus.handle(c.ShipOrder(order_id, "UPS", "1Z999AA10123456784", actor=OPERATOR))
    order = await small.shop.views.order(order_id)
    assert order is not None and order.status == "shipped"
    assert order.tracking_url == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
    stock = await small.shop.views.stock("SHOE-RED-42")
    assert stock is not None and sum(r.on_hand for r in stock.rows) == 6
    await small.shop.bus.handle(c.RequestReturn(order_id, "too small", actor=Actor.shopper(customer)))
    await small.shop.bus.handle(c.ReceiveReturn(order_id, restock=True, actor=OPERATOR))
    await small.shop.bus.refund(c.RefundOrder(order_id, 8000, "returned", actor=APPROVER))
    order = await small.shop.views.order(order_id)
    assert order is not None and (order.status, order.refunded) == ("partially_refunded", 8000)
    stock = await small.shop.views.stock("SHOE-RED-42")
    assert stock is not None and sum(r.on_hand for r in stock.rows) == 8
    assert await small.shop.views.ledger_mismatches() == []
