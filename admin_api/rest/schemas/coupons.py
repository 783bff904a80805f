"""Coupon definitions written through the API (what is read back is ``CouponOut``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from admin_api.rest.schemas.common import MoneyIn, Strict

Slug = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
CouponCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{1,40}$")]


class CouponDefinition(Strict):
    kind: Literal["percent", "fixed", "free_shipping"]
    percent_bp: int | None = Field(
        default=None, ge=1, le=10000, description="percent: basis points off the items in scope (1000 = 10 %)"
    )
    amount: MoneyIn | None = Field(default=None, description="fixed: the amount off, in the shop currency")
    min_subtotal: MoneyIn | None = Field(default=None, description="the smallest cart subtotal it applies to")
    usage_limit: int | None = Field(default=None, ge=1, le=10**9, description="uses in all; null: no limit")
    once_per_customer: bool = Field(default=True, description="each customer may use it once (else: no limit)")
    starts_at: datetime | None = Field(default=None, description="from (RFC 3339); null: now")
    ends_at: datetime | None = Field(default=None, description="until, excluded (RFC 3339); null: no end")
    products: list[Slug] = Field(default_factory=list, max_length=200, description="only these products (slugs)")
    categories: list[Slug] = Field(
        default_factory=list, max_length=200, description="only these categories and below (slugs)"
    )
    description: Annotated[str, StringConstraints(max_length=500)] = ""

    @model_validator(mode="after")
    def _value_matches_kind(self) -> CouponDefinition:
        if self.kind == "percent" and (self.percent_bp is None or self.amount is not None):
            raise ValueError("a percent coupon takes percent_bp and no amount")
        if self.kind == "fixed" and (self.amount is None or self.percent_bp is not None):
            raise ValueError("a fixed coupon takes amount and no percent_bp")
        if self.kind == "free_shipping" and (self.amount is not None or self.percent_bp is not None):
            raise ValueError("a free_shipping coupon takes neither percent_bp nor amount")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValueError("ends_at is after starts_at")
        return self


class CouponIn(CouponDefinition):
    code: CouponCode = Field(description="what shoppers type (letters, digits, - and _; kept upper-case)")


__all__ = ["CouponDefinition", "CouponIn"]
