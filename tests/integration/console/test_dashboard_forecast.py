"""The dashboard's sales trend with the stored demand forecast drawn on: the next 28 days as a dashed line of
expected revenue (units × today's prices) inside its 80% band, on the same scale as the bars."""

from __future__ import annotations

import re
from datetime import date, timedelta

from chatshop.cli_forecast import forecast_all
from tests.integration.console.conftest import Console, StaffShop
from tests.integration.forecasting.history import record_sales, weekly


async def test_the_sales_trend_shows_the_next_28_days_forecast_with_its_band(
    console: Console, staffed: StaffShop
) -> None:
    shop = staffed.small.shop
    await console.sign_in("abe")
    status, html = await console.get("/dashboard?days=30")
    assert status == 200 and 'class="forecast"' not in html  # no forecast run yet: bars only

    end = shop.clock.now().date() - timedelta(days=1)
    await record_sales(shop, "MUG-WHT", weekly(90, seed=4), end=end)
    await forecast_all(shop)
    status, html = await console.get("/dashboard?days=30")
    assert status == 200, html
    assert 'class="forecast"' in html and 'stroke-dasharray="6 4"' in html
    points = re.search(r'<polyline points="([^"]+)"', html)
    assert points is not None and len(points.group(1).split()) == 28
    hovers = re.findall(r"<title>Forecast (\d{4}-\d{2}-\d{2}): ([^<]+)</title>", html)
    assert len(hovers) == 28 and hovers[0][0] == (end + timedelta(days=1)).isoformat()
    expected = {
        date.fromisoformat(d).weekday(): float(re.findall(r"[\d,]+\.\d\d", h)[0].replace(",", "")) for d, h in hovers
    }
    # Mugs at 12.00: about 25 on a Sunday (≈ 300.00), about 10 on a Tuesday (≈ 120.00).
    assert 250 < expected[6] < 350 and 90 < expected[1] < 150
    assert "Forecast for the next 28 days" in html
