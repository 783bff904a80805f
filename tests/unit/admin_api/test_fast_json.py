"""Pages encoded without the models (``registry.Json``) are byte for byte what the models would write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from admin_api.rest import schemas as s
from admin_api.rest.registry import Json, encode
from domain.views.admin import OrderRow

moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC))
amounts = st.integers(min_value=-(2**62), max_value=2**62)
rows = st.builds(
    OrderRow,
    id=st.integers(min_value=1, max_value=2**62),
    customer_id=st.integers(min_value=1, max_value=2**62),
    channel=st.text(max_size=20),
    status=st.text(max_size=20),
    financial_status=st.sampled_from(["unpaid", "paid", "partially_refunded", "refunded"]),
    currency=st.text(min_size=3, max_size=3),
    subtotal=amounts,
    discount=amounts,
    shipping=amounts,
    tax=amounts,
    total=amounts,
    captured=amounts,
    refunded=amounts,
    item_count=st.integers(min_value=0, max_value=10**6),
    placed_at=moments,
    paid_at=st.none() | moments,
    updated_at=moments,
    customer_name=st.text(max_size=20),
)


@given(st.lists(rows, max_size=5), st.none() | st.text(max_size=40))
def test_an_order_page_encoded_from_plain_data_is_the_models_json(page: list[OrderRow], cursor: str | None) -> None:
    fast = Json(s.OrderPage, {"items": [s.order_summary_data(o) for o in page], "next_cursor": cursor})
    model = s.OrderPage(items=[s.order_summary(o) for o in page], next_cursor=cursor)
    assert encode(fast) == encode(model)


def test_a_time_in_another_offset_keeps_its_offset_as_the_models_json_does() -> None:
    moment = datetime(2026, 3, 1, 12, 30, 15, 250, tzinfo=timezone(timedelta(hours=2)))
    row = OrderRow(1, 2, "api", "paid", "paid", "EUR", 1, 0, 0, 0, 1, 1, 0, 1, moment, None, moment)
    fast = Json(s.OrderPage, {"items": [s.order_summary_data(row)], "next_cursor": None})
    assert encode(fast) == encode(s.OrderPage(items=[s.order_summary(row)], next_cursor=None))
