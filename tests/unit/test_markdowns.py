"""Markdown suggestions on constructed stock and sales: who is suggested, how deep, how many units it frees."""

from __future__ import annotations

from domain.markdowns import MarkdownPolicy, StockPosition, suggest, trailing_velocity


def position(variant_id: int, available: int, sold: int, price: int = 2000) -> StockPosition:
    return StockPosition(variant_id, f"SKU-{variant_id}", f"Thing {variant_id}", available, sold, price, "USD")


def test_overstocked_slow_movers_get_a_depth_by_how_far_above_target_and_fast_sellers_none() -> None:
    stock = [
        position(1, available=300, sold=14),  # 0.5 a day: 600 days of cover, 6.7× the target
        position(2, available=225, sold=28),  # 1 a day: 225 days, 2.5×
        position(3, available=50, sold=280),  # 10 a day: 5 days
        position(4, available=40, sold=0),  # nothing sold
        position(5, available=0, sold=0),  # nothing to mark down
        position(6, available=170, sold=28),  # 170 days: 1.9×, not far enough above
    ]
    found = {s.sku: s for s in suggest(stock, trailing_velocity(stock), MarkdownPolicy())}
    assert set(found) == {"SKU-1", "SKU-2", "SKU-4"}
    assert (found["SKU-1"].depth_percent, found["SKU-2"].depth_percent, found["SKU-4"].depth_percent) == (30, 10, 30)
    # 0.5 a day × ((1 − 0.3)^−2 − 1) × 90 days ≈ 47 more units; 1 a day × (0.9^−2 − 1) × 90 ≈ 21.
    assert found["SKU-1"].units_freed == 47 and found["SKU-2"].units_freed == 21
    assert found["SKU-4"].days_of_cover is None and found["SKU-4"].units_freed == 0
    assert found["SKU-1"].marked_down_price == 1400 and isinstance(found["SKU-1"].marked_down_price, int)
    assert found["SKU-4"].reasons[0].text.startswith("No sales")
    assert round(found["SKU-2"].sell_through, 3) == round(28 / 253, 3)


def test_a_lower_sell_through_threshold_and_a_longer_target_suggest_fewer() -> None:
    stock = [position(1, available=300, sold=14), position(2, available=225, sold=28)]
    strict = suggest(stock, trailing_velocity(stock), MarkdownPolicy(max_sell_through=0.1))
    assert [s.sku for s in strict] == ["SKU-1"]  # SKU-2 sold 11% of its stock
    patient = suggest(stock, trailing_velocity(stock), MarkdownPolicy(target_days=200))
    assert [(s.sku, s.depth_percent) for s in patient] == [("SKU-1", 20)]  # 600 days is 3× a 200-day target
