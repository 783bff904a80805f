"""Shared shapes: strict input models, text limits, money as ``{amount, currency}`` in minor units."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Sku = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Limit = Annotated[int, Field(ge=1, le=200, description="rows per page (1–200)")]
Cursor = Annotated[str | None, Field(default=None, max_length=500, description="`next_cursor` of the page before")]


class Money(BaseModel):
    amount: int = Field(description="minor units (cents)")
    currency: str = Field(min_length=3, max_length=3)


class MoneyIn(Strict):
    amount: int = Field(ge=0, le=10**12, description="minor units (cents)")
    currency: str = Field(pattern="^[A-Z]{3}$")


def money(amount: int, currency: str) -> Money:
    return Money(amount=amount, currency=currency)
