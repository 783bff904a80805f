"""Errors as ``application/problem+json`` (RFC 9457): a stable ``type`` per kind of problem, a short ``title``,
the domain's readable ``detail``, and ``errors`` naming each bad field of the request."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, ValidationError

from domain import errors

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:chatshop:problem:"

# The domain's errors by their stable code: (HTTP status, title).
DOMAIN_STATUS: dict[str, tuple[int, str]] = {
    errors.NotFound.code: (404, "Not found"),
    errors.ValidationFailed.code: (422, "Invalid request"),
    errors.PermissionDenied.code: (403, "Not allowed"),
    errors.IllegalTransition.code: (409, "Not possible in the order's state"),
    errors.OutOfStock.code: (409, "Out of stock"),
    errors.RefundTooLarge.code: (422, "Refund too large"),
    errors.Conflict.code: (409, "Conflict"),
    errors.PaymentExpired.code: (409, "Payment expired"),
    errors.PaymentFailed.code: (409, "Payment failed"),
    errors.CouponNotApplicable.code: (422, "Coupon not applicable"),
    errors.PriceChanged.code: (409, "Price changed"),
    errors.CartEmpty.code: (422, "Cart empty"),
}


class FieldError(BaseModel):
    field: str = Field(description="where in the request: `body.variants.0.price`, `query.limit`")
    message: str


class Problem(BaseModel):
    type: str = Field(description="stable identifier of the kind of problem, e.g. `urn:chatshop:problem:not_found`")
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    scope: str | None = Field(default=None, description="the scope the key lacks (403 `missing_scope`)")


def problem(
    status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> web.Response:
    body = Problem(type=TYPE_PREFIX + code, title=title, status=status, detail=detail, **extra)
    return web.Response(
        status=status,
        body=body.model_dump_json(exclude_none=True).encode(),
        content_type=PROBLEM_JSON,
        headers=headers,
    )


def domain_problem(exc: errors.DomainError) -> web.Response:
    status, title = DOMAIN_STATUS.get(exc.code, (422, "Refused"))
    return problem(status, exc.code, title, exc.message)


def validation_problem(exc: ValidationError, where: str) -> web.Response:
    fields = [
        FieldError(field=".".join([where, *(str(part) for part in err["loc"])]), message=err["msg"])
        for err in exc.errors(include_url=False)
    ]
    detail = "; ".join(f"{f.field}: {f.message}" for f in fields[:5])
    return problem(422, "invalid_request", "Invalid request", detail, errors=fields)


def bad_json(exc: json.JSONDecodeError | UnicodeDecodeError) -> web.Response:
    return problem(400, "malformed_json", "Malformed JSON", f"The body is not JSON: {exc}.")
