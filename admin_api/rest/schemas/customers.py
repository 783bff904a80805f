"""Customers: lists, profiles, tags, consent."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from admin_api.rest.schemas.common import Cursor, Limit, Money, Strict, Text


class CustomerListQuery(Strict):
    limit: Limit = 50
    cursor: Cursor = None
    q: str | None = Field(default=None, max_length=100, description="part of a name or e-mail address")
    updated_since: AwareDatetime | None = Field(
        default=None, description="changed at or after (tags, consent, identities, forget …); oldest first"
    )


class CustomerSummaryOut(BaseModel):
    id: int
    name: str
    email: str | None
    country: str | None
    locale: str
    tags: list[str]
    marketing_opt_in: bool
    created_at: datetime | None
    updated_at: datetime
    anonymised: bool


class CustomerPage(BaseModel):
    items: list[CustomerSummaryOut]
    next_cursor: str | None


class CustomerOut(CustomerSummaryOut):
    identities: list[dict[str, str]]
    orders: int
    lifetime_value: Money
    last_order_at: datetime | None


class CustomerExport(BaseModel):
    model_config = ConfigDict(extra="allow")


class Accepted(BaseModel):
    ok: bool = True


Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


class TagsIn(Strict):
    add: list[Tag] = Field(min_length=1, max_length=20)


class ConsentIn(Strict):
    granted: bool = Field(description="marketing messages allowed")
    source: Text = Field(description="where the customer said so, e.g. `pos-signup-form`")
