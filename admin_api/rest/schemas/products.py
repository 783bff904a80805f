"""Products and variants, one at a time or in bulk."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from admin_api.rest.schemas.common import Cursor, Limit, Money, MoneyIn, Sku, Strict, Text, money
from domain.views.admin import ProductRow


class ProductListQuery(Strict):
    limit: Limit = 50
    cursor: Cursor = None
    category: str | None = Field(default=None, max_length=140, description="category slug (and those below it)")
    status: Literal["active", "archived"] | None = None
    updated_since: AwareDatetime | None = None


class VariantIn(Strict):
    sku: Sku
    price: MoneyIn
    options: dict[
        Annotated[str, StringConstraints(max_length=40)], Annotated[str, StringConstraints(max_length=80)]
    ] = Field(default_factory=dict, max_length=10)
    low_stock_threshold: int = Field(default=5, ge=0, le=10**6)


class ProductIn(Strict):
    name: Text
    slug: Annotated[str, StringConstraints(pattern="^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=200)] | None = None
    description: str = Field(default="", max_length=10_000)
    brand: Annotated[str, StringConstraints(max_length=120)] | None = None
    category_path: list[Text] = Field(default_factory=list, max_length=5)
    attributes: dict[
        Annotated[str, StringConstraints(max_length=40)], Annotated[str, StringConstraints(max_length=200)]
    ] = Field(default_factory=dict, max_length=30)
    images: list[Annotated[str, StringConstraints(max_length=500)]] = Field(default_factory=list, max_length=20)
    active: bool = True
    variants: list[VariantIn] = Field(min_length=1, max_length=200)


class VariantOut(BaseModel):
    id: int
    sku: str
    options: dict[str, str]
    price: Money
    active: bool
    low_stock_threshold: int


class ProductOut(BaseModel):
    id: int
    slug: str
    name: str
    description: str
    brand: str | None
    category: str | None
    category_path: list[str]
    attributes: dict[str, str]
    images: list[str]
    status: str
    updated_at: datetime
    variants: list[VariantOut]


class ProductPage(BaseModel):
    items: list[ProductOut]
    next_cursor: str | None


def product_out(p: ProductRow) -> ProductOut:
    return ProductOut(
        id=p.id,
        slug=p.slug,
        name=p.name,
        description=p.description,
        brand=p.brand,
        category=p.category,
        category_path=list(p.category_path),
        attributes=p.attributes,
        images=list(p.images),
        status=p.status,
        updated_at=p.updated_at,
        variants=[
            VariantOut(
                id=v.id,
                sku=v.sku,
                options=v.options,
                price=money(v.price, v.currency),
                active=v.active,
                low_stock_threshold=v.low_stock_threshold,
            )
            for v in p.variants
        ],
    )


class BulkUpsertIn(Strict):
    products: list[ProductIn] = Field(min_length=1, max_length=5000)


class BulkRowOutcome(BaseModel):
    index: int
    ok: bool
    product_id: int | None = None
    skus: list[str]
    error: str | None = None


class BulkUpsertOut(BaseModel):
    succeeded: int
    failed: int
    rows: list[BulkRowOutcome]
