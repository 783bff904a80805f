"""Coupons and reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from admin_api.rest.schemas.common import Money, Strict


class CouponOut(BaseModel):
    code: str
    kind: Literal["percent", "fixed", "free_shipping"]
    value: int = Field(description="percent: basis points (1000 = 10 %); fixed: minor units; free_shipping: 0")
    min_subtotal: Money
    starts_at: datetime | None
    ends_at: datetime | None
    usage_limit: int | None
    per_customer_limit: int | None
    times_used: int
    active: bool
    description: str
    personal_codes: int
    personal_used: int


class CouponList(BaseModel):
    items: list[CouponOut]


class Period(Strict):
    start: date = Field(alias="from", description="first day (UTC), e.g. 2026-11-01")
    end: date = Field(alias="to", description="last day (UTC), included")

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class TopQuery(Period):
    limit: int = Field(default=10, ge=1, le=100)


class DaySalesOut(BaseModel):
    day: date
    orders: int
    gross: Money
    net: Money


class SalesReport(BaseModel):
    orders: int
    gross: Money
    net: Money
    average_order_value: Money
    days: list[DaySalesOut]


class TopProductOut(BaseModel):
    product_id: int
    name: str
    units: int
    revenue: Money


class TopProductsReport(BaseModel):
    items: list[TopProductOut]


class FunnelStepOut(BaseModel):
    name: str
    customers: int


class FunnelReport(BaseModel):
    steps: list[FunnelStepOut]


class CustomersQuery(Strict):
    by: Literal["country", "channel", "locale"]


class BreakdownOut(BaseModel):
    key: str
    customers: int


class CustomersReport(BaseModel):
    by: str
    items: list[BreakdownOut]
