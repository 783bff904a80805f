"""Reorder suggestions on constructed cases: below the reorder point an order is suggested up to the
order-up-to level, enough cover suggests none, quantities round up to the pack, no supplier is never ordered."""

from __future__ import annotations

import math

from domain.reorder import DayDemand, ReorderInput, round_to_pack, suggest

# 10 units a day, σ = 2 a day (80% interval ±2.563)
DAY = DayDemand(10.0, 10.0 - 2 * 1.2816, 10.0 + 2 * 1.2816)


def item(available: int, *, on_order: int = 0, pack: int = 1, supplier: int | None = 1) -> ReorderInput:
    return ReorderInput(
        1, "MUG-WHT", "Mug", "EAST", available, on_order, (DAY,) * 28, supplier, "Hearth", 9, pack, 250, "USD"
    )


def test_below_the_reorder_point_orders_up_to_lead_time_plus_review_demand_plus_safety_stock() -> None:
    s = suggest(item(40), service_level=0.95, review_days=14)
    assert math.isclose(s.lead_demand, 90.0)
    assert math.isclose(s.safety_stock, 1.6449 * 2 * 3, rel_tol=1e-3)  # z95 × σ × √9
    assert math.isclose(s.reorder_point, 90 + 9.869, rel_tol=1e-3)
    assert math.isclose(s.order_up_to, 230 + 1.6449 * 2 * math.sqrt(23), rel_tol=1e-3)
    assert s.quantity == math.ceil(s.order_up_to - 40)
    assert s.days_of_cover is not None and math.isclose(s.days_of_cover, 4.0)
    assert s.orderable
    assert any("40 available is at or below it" in r for r in s.reasons)


def test_enough_cover_suggests_nothing() -> None:
    s = suggest(item(150))
    assert s.quantity == 0 and not s.orderable
    assert s.days_of_cover == 15.0


def test_units_on_order_count_towards_the_position() -> None:
    assert suggest(item(40, on_order=80)).quantity == 0


def test_the_quantity_is_rounded_up_to_the_suppliers_pack() -> None:
    s = suggest(item(40, pack=24))
    assert s.quantity % 24 == 0 and 0 <= s.quantity - (s.order_up_to - 40) < 24
    assert round_to_pack(48, 24) == 48 and round_to_pack(48.2, 24) == 72


def test_a_higher_service_level_holds_more_safety_stock() -> None:
    assert suggest(item(40), service_level=0.99).safety_stock > suggest(item(40), service_level=0.9).safety_stock


def test_a_sku_without_supplier_is_computed_but_not_orderable() -> None:
    s = suggest(item(5, supplier=None))
    assert s.quantity > 0 and not s.orderable
    assert "no supplier: not ordered" in s.reasons


def test_no_forecast_demand_means_no_order_and_unknown_cover() -> None:
    s = suggest(ReorderInput(2, "X", "X", "EAST", 0, 0, (DayDemand(0, 0, 0),) * 28, 1, "S", 5))
    assert s.quantity == 0 and s.days_of_cover is None
