"""Approval rules hold matching paid orders for a person; only approvers decide, once."""

from __future__ import annotations

import dataclasses

import pytest

from domain import commands as c
from domain.errors import IllegalTransition, PermissionDenied
from domain.events import Event, OrderNeedsApproval
from domain.model.approvals import ApprovalPolicy
from domain.model.staff import Actor, Role
from tests.support.shopdata import SmallShop

APPROVER = Actor.staff("abe", Role.APPROVER)
VIEWER = Actor.staff("vic", Role.VIEWER)


async def paid_order(small: SmallShop, quantity: int = 2) -> int:
    order_id = await small.checkout(await small.customer(), quantity=quantity)
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    order = await small.shop.views.order(order_id)
    assert order is not None
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, order.total, "USD"))
    return order_id


@pytest.fixture
def strict(small: SmallShop) -> SmallShop:
    small.shop.bus.ctx = dataclasses.replace(
        small.shop.bus.ctx, approvals=ApprovalPolicy(total_over=10000, risky_countries=frozenset({"NG"}))
    )
    return small


async def test_a_paid_order_over_the_threshold_waits_for_approval_with_its_reasons(strict: SmallShop) -> None:
    seen: list[Event] = []

    async def collect(event_id: str, event: Event) -> None:
        seen.append(event)

    strict.shop.outbox.subscribe("ops", collect, {"OrderNeedsApproval"})
    order_id = await paid_order(strict, quantity=2)  # 160.00
    order = await strict.shop.views.order(order_id)
    assert order is not None and order.status == "awaiting_approval"
    assert order.approval_reasons == ("total 160.00 USD is above 100.00 USD",)
    await strict.shop.outbox.drain()
    assert seen == [OrderNeedsApproval(order_id, order.customer_id, ("total 160.00 USD is above 100.00 USD",))]


async def test_a_small_order_goes_straight_through(strict: SmallShop) -> None:
    order_id = await paid_order(strict, quantity=1)
    order = await strict.shop.views.order(order_id)
    assert order is not None and order.status == "paid"


async def test_only_an_approver_decides_and_only_once(strict: SmallShop) -> None:
    order_id = await paid_order(strict)
    with pytest.raises(PermissionDenied):
        await strict.shop.bus.handle(c.ApproveOrder(order_id, actor=VIEWER))
    assert await strict.shop.bus.handle(c.ApproveOrder(order_id, actor=APPROVER)) == "approved"
    with pytest.raises(IllegalTransition, match="already decided by abe: it is approved"):
        await strict.shop.bus.handle(c.ApproveOrder(order_id, actor=Actor.staff("ann", Role.ADMIN)))
    await strict.shop.bus.handle(c.AdvanceOrder(order_id, "picking", actor=Actor.staff("olga", Role.OPERATOR)))


async def test_rejecting_cancels_releases_stock_and_refunds(strict: SmallShop) -> None:
    order_id = await paid_order(strict)
    await strict.shop.bus.cancel(c.RejectOrder(order_id, "address looks fraudulent", actor=APPROVER))
    order = await strict.shop.views.order(order_id)
    assert order is not None
    assert (order.status, order.refunded, order.cancel_reason) == (
        "refunded",
        16000,
        "rejected: address looks fraudulent",
    )
    stock = await strict.shop.views.stock("SHOE-RED-42")
    assert stock is not None and stock.available == 8
