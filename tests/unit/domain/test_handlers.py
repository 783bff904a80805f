"""Handlers against in-memory fakes of our ports: fast specifications of the service layer."""

from __future__ import annotations

import pytest

from domain import commands as c
from domain import events
from domain.errors import CartEmpty, OutOfStock, PermissionDenied, RefundTooLarge
from domain.model.customers import Channel
from domain.model.staff import Actor, Role
from domain.service_layer.context import Context
from domain.service_layer.messagebus import MessageBus
from tests.support.clock import FakeClock
from tests.unit.domain.fakes import FakePaymentProvider, FakeUnitOfWork, Store

ADDRESS = {
    "name": "Ann Shopper",
    "line1": "1 Main Street",
    "city": "Springfield",
    "postal_code": "12345",
    "country": "US",
}
APPROVER = Actor.staff("abe", Role.APPROVER)


@pytest.fixture
async def env() -> tuple[MessageBus, list[Store], FakePaymentProvider, FakeClock]:
    holder = [Store()]
    provider = FakePaymentProvider()
    clock = FakeClock()
    bus = MessageBus(Context(uow=lambda: FakeUnitOfWork(holder), payments=provider, clock=clock))
    await bus.handle(c.CreateWarehouse("A", "A", 1, actor=c.SYSTEM))
    await bus.handle(c.UpsertProduct("Lamp", (c.VariantSpec("LAMP-1", 2500),), ("Home",), actor=c.SYSTEM))
    await bus.handle(c.ReceiveStock("LAMP-1", "A", 3, actor=c.SYSTEM))
    await bus.handle(c.CreateShippingMethod("std", "Standard", 500, actor=c.SYSTEM))
    return bus, holder, provider, clock


async def shopper(bus: MessageBus, name: str = "u1") -> int:
    return int(await bus.handle(c.IdentifyCustomer(Channel.TELEGRAM, name)))


async def place(bus: MessageBus, customer: int, qty: int = 1) -> int:
    await bus.handle(c.AddToCart(customer, "LAMP-1", qty, actor=Actor.shopper(customer)))
    return int(await bus.handle(c.PlaceOrder(customer, ADDRESS, "std", "telegram", actor=Actor.shopper(customer))))


async def test_placing_an_order_reserves_stock_and_publishes_order_placed(env) -> None:
    bus, holder, _, _ = env
    customer = await shopper(bus)
    order_id = await place(bus, customer, 2)
    level = holder[0].all("levels")[0]
    assert (level.on_hand, level.reserved) == (3, 2)
    assert events.OrderPlaced(order_id, customer, "telegram", 5500, "USD") in holder[0].outbox


async def test_a_refused_checkout_rolls_back_everything(env) -> None:
    bus, holder, _, _ = env
    customer = await shopper(bus)
    await bus.handle(c.AddToCart(customer, "LAMP-1", 3, actor=Actor.shopper(customer)))
    await bus.handle(c.AdjustStock("LAMP-1", "A", -1, "broken", actor=c.SYSTEM))
    before = len(holder[0].all("orders")), len(holder[0].outbox)
    with pytest.raises(OutOfStock):
        await bus.handle(c.PlaceOrder(customer, ADDRESS, "std", "telegram", actor=Actor.shopper(customer)))
    assert (len(holder[0].all("orders")), len(holder[0].outbox)) == before


async def test_checkout_of_an_empty_cart_is_refused(env) -> None:
    bus, _, _, _ = env
    with pytest.raises(CartEmpty):
        await bus.handle(c.PlaceOrder(await shopper(bus), ADDRESS, "std", "telegram", actor=c.SYSTEM))


async def test_expiry_releases_only_orders_past_their_reservation(env) -> None:
    bus, holder, _, clock = env
    first = await place(bus, await shopper(bus, "a"))
    clock.advance(minutes=10)
    second = await place(bus, await shopper(bus, "b"))
    clock.advance(minutes=6)
    assert await bus.handle(c.ExpireReservations()) == 1
    orders = holder[0].table("orders")
    assert (orders[first].status, orders[second].status) == ("cancelled", "pending_payment")
    assert events.ReservationExpired(first, orders[first].customer_id) in holder[0].outbox


async def test_payment_link_request_carries_the_order_amount_and_an_idempotency_key(env) -> None:
    bus, _, provider, _ = env
    order_id = await place(bus, await shopper(bus), 2)
    await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    (request,) = provider.sessions.values()
    assert (request.amount, request.currency, request.idempotency_key) == (5500, "USD", f"order-{order_id}-session")


async def test_a_refund_the_provider_refuses_is_recorded_as_failed_and_can_be_retried(env) -> None:
    bus, holder, provider, _ = env
    order_id = await place(bus, await shopper(bus))
    link = await bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    await bus.handle(c.ConfirmPayment("fake", link.url.rsplit("/", 1)[1], 3000, "USD"))
    provider.refuse_refunds = True
    assert await bus.refund(c.RefundOrder(order_id, 1000, "scratched", actor=APPROVER)) == "failed"
    assert holder[0].table("orders")[order_id].refunded == 0
    assert any(isinstance(e, events.RefundFailed) for e in holder[0].outbox)
    provider.refuse_refunds = False
    assert await bus.refund(c.RefundOrder(order_id, 1000, "scratched", actor=APPROVER)) == "succeeded"
    with pytest.raises(RefundTooLarge):
        await bus.refund(c.RefundOrder(order_id, 2001, "too much", actor=APPROVER))


async def test_shoppers_only_touch_their_own_cart(env) -> None:
    bus, _, _, _ = env
    mine, theirs = await shopper(bus, "me"), await shopper(bus, "them")
    with pytest.raises(PermissionDenied):
        await bus.handle(c.AddToCart(theirs, "LAMP-1", 1, actor=Actor.shopper(mine)))
