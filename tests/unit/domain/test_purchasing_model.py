"""Purchasing's rules without a database: the PO state machine, the weighted average, bin codes, the pick list's
merge and order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.errors import IllegalTransition, ValidationFailed
from domain.model.purchasing import POLine, POStatus, PurchaseOrder, StockCost, check_bin, weighted_average
from domain.views.purchasing import PickItem, pick_rows

NOW = datetime(2026, 12, 6, 12, tzinfo=UTC)


def po(*quantities: int) -> PurchaseOrder:
    lines = [POLine(i + 1, f"SKU-{i + 1}", q, 100, id=i + 1) for i, q in enumerate(quantities)]
    order = PurchaseOrder(1, "usd", lines, None, "bea", NOW)
    order.id = 7
    return order


def test_receiving_every_outstanding_unit_completes_the_order_and_less_leaves_it_partially_received() -> None:
    order = po(5, 3)
    order.send(NOW)
    assert [r.quantity for r in order.receive({1: 2}, NOW)] == [2]
    assert order.status == POStatus.PARTIALLY_RECEIVED
    order.receive({1: 3, 2: 3}, NOW)
    assert order.status == POStatus.RECEIVED
    assert [line.outstanding for line in order.lines] == [0, 0]


def test_a_refused_receipt_changes_nothing() -> None:
    order = po(5, 3)
    order.send(NOW)
    with pytest.raises(ValidationFailed, match="SKU-2: 4 received but only 3 of 3 outstanding"):
        order.receive({1: 5, 2: 4}, NOW)
    assert order.status == POStatus.SENT and [line.received for line in order.lines] == [0, 0]
    with pytest.raises(ValidationFailed, match="at least one line"):
        order.receive({1: 0}, NOW)


def test_a_draft_cannot_be_received_and_a_cancelled_order_cannot_be_sent() -> None:
    order = po(1)
    with pytest.raises(IllegalTransition, match="PO-000007 is a draft"):
        order.receive({1: 1}, NOW)
    order.cancel(NOW)
    with pytest.raises(IllegalTransition, match="PO-000007 is cancelled and can't become sent"):
        order.send(NOW)


def test_the_weighted_average_rounds_half_up_to_a_minor_unit_and_ignores_units_already_gone() -> None:
    assert weighted_average(100, 300, 100, 450) == 375
    assert weighted_average(1, 100, 2, 101) == 101  # 302 / 3 = 100.67
    assert weighted_average(0, 999, 4, 250) == 250
    assert weighted_average(-3, 999, 4, 250) == 250  # oversold units carry no value
    cost = StockCost(1, 1, "USD", 300)
    with pytest.raises(ValidationFailed, match="valued in USD; a receipt at a cost in EUR"):
        cost.receive(10, 5, 400, "EUR")


def test_bin_codes_are_upper_cased_and_refuse_anything_but_letters_digits_and_dashes() -> None:
    assert check_bin(" a-03-2 ") == "A-03-2"
    for bad in ("", "A 3", "<script>", "-A", "X" * 21):
        with pytest.raises(ValidationFailed):
            check_bin(bad)


def test_a_pick_list_merges_lines_by_sku_and_walks_the_bins_in_order_with_unbinned_skus_last() -> None:
    rows = pick_rows(
        [
            PickItem(1, "MUG", "Mug", "A-10-1", 2),
            PickItem(1, "SHOE", "Shoe", "A-2-1", 1),
            PickItem(2, "MUG", "Mug", "A-10-1", 3),
            PickItem(2, "CAP", "Cap", "", 1),
            PickItem(3, "BAG", "Bag", "B-1", 1),
            PickItem(3, "MUG", "Mug", "A-10-1", 1),
        ]
    )
    assert [(r.sku, r.bin, r.quantity, r.order_ids) for r in rows] == [
        ("SHOE", "A-2-1", 1, (1,)),
        ("MUG", "A-10-1", 6, (1, 2, 3)),
        ("BAG", "B-1", 1, (3,)),
        ("CAP", "", 1, (2,)),
    ]
