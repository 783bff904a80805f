"""The order state machine refuses illegal transitions, whatever sequence is tried."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import IllegalTransition, RefundTooLarge, ValidationFailed
from domain.model.orders import TRANSITIONS, Order, OrderLine, OrderStatus

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def order(total_units: int = 2) -> Order:
    return Order(
        1,
        "webchat",
        "USD",
        [OrderLine(1, 1, "SKU-1", "Thing", 1000, total_units)],
        shipping=500,
        tax_rate_bp=1000,
        shipping_method="standard",
        shipping_address={},
        placed_at=NOW,
    )


def test_totals_are_frozen_at_placement() -> None:
    o = order()
    assert (o.subtotal, o.discount, o.shipping, o.tax, o.total) == (2000, 0, 500, 250, 2750)


@given(st.lists(st.sampled_from(list(OrderStatus)), max_size=25))
def test_any_sequence_of_requests_only_follows_allowed_edges(targets: list[OrderStatus]) -> None:
    o = order()
    for target in targets:
        before = o.status
        if target in TRANSITIONS[before]:
            o.transition(target, NOW)
            assert o.status == target
        else:
            with pytest.raises(IllegalTransition):
                o.transition(target, NOW)
            assert o.status == before


def test_payment_must_match_the_total() -> None:
    o = order()
    with pytest.raises(ValidationFailed):
        o.mark_paid(2749, NOW)
    o.mark_paid(2750, NOW)
    assert o.status == OrderStatus.PAID and o.captured == 2750


def test_an_unpaid_order_cannot_ship() -> None:
    o = order()
    with pytest.raises(IllegalTransition):
        o.ship("UPS", "1Z", NOW)


@given(st.lists(st.integers(min_value=-100, max_value=3000), max_size=10))
def test_refunds_never_exceed_what_was_captured(amounts: list[int]) -> None:
    o = order()
    o.mark_paid(2750, NOW)
    for amount in amounts:
        with contextlib.suppress(RefundTooLarge, ValidationFailed):
            o.record_refund(amount, NOW)
        assert 0 <= o.refunded <= o.captured
    if o.refunded == o.captured:
        assert o.status == OrderStatus.REFUNDED


def test_a_partial_refund_of_a_returned_order_is_partially_refunded() -> None:
    o = order()
    o.mark_paid(2750, NOW)
    for target in (OrderStatus.PICKING, OrderStatus.PACKED):
        o.transition(target, NOW)
    o.ship("DHL", "123", NOW)
    o.request_return("wrong size", NOW)
    o.transition(OrderStatus.RETURNED, NOW)
    o.record_refund(1000, NOW)
    assert o.status == OrderStatus.PARTIALLY_REFUNDED and o.financial_status == "partially_refunded"
