"""Stock levels and the moves that change them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from admin_api.rest.schemas.common import Cursor, Limit, Sku, Strict, Text
from domain.views.admin import StockLevelRow


class StockListQuery(Strict):
    limit: Limit = 100
    cursor: Cursor = None
    sku: str | None = Field(default=None, max_length=64)
    warehouse: str | None = Field(default=None, max_length=32)


class StockLevelOut(BaseModel):
    sku: str
    warehouse: str
    on_hand: int
    reserved: int
    allocated: int
    available: int
    updated_at: datetime | None


class StockPage(BaseModel):
    items: list[StockLevelOut]
    next_cursor: str | None


def stock_out(s: StockLevelRow) -> StockLevelOut:
    return StockLevelOut(
        sku=s.sku,
        warehouse=s.warehouse,
        on_hand=s.on_hand,
        reserved=s.reserved,
        allocated=s.allocated,
        available=s.available,
        updated_at=s.updated_at,
    )


Warehouse = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class ReceiveIn(Strict):
    sku: Sku
    warehouse: Warehouse
    quantity: int = Field(ge=1, le=10**7)
    reason: Text = "received"


class AdjustIn(Strict):
    sku: Sku
    warehouse: Warehouse
    delta: int = Field(ge=-(10**7), le=10**7)
    reason: Text


class CountIn(Strict):
    sku: Sku
    warehouse: Warehouse
    on_hand: int = Field(ge=0, le=10**7, description="what was counted: the ledger gets the difference")
    reason: Text = "stock count"
