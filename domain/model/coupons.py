"""Coupons: percentage, fixed amount or free shipping, with limits, windows and scope."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.errors import CouponNotApplicable, ValidationFailed
from domain.model.money import Money


class CouponKind(StrEnum):
    PERCENT = "percent"  # value in basis points: 1000 = 10 %
    FIXED = "fixed"  # value in minor units of ``currency``
    FREE_SHIPPING = "free_shipping"


@dataclass(frozen=True)
class EligibleLine:
    product_id: int
    category_ids: frozenset[int]  # the product's category and its ancestors
    amount: int  # unit price x quantity, minor units


@dataclass(frozen=True)
class CouponOutcome:
    discount: Money
    free_shipping: bool
    per_line: tuple[int, ...]  # the discount split over the lines, same order as given


class Coupon:
    def __init__(
        self,
        code: str,
        kind: CouponKind,
        value: int,
        currency: str,
        min_subtotal: int = 0,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        usage_limit: int | None = None,
        per_customer_limit: int | None = 1,
        product_ids: list[int] | None = None,
        category_ids: list[int] | None = None,
        active: bool = True,
        description: str = "",
        customer_id: int | None = None,
    ) -> None:
        code = normalise_code(code)
        if kind == CouponKind.PERCENT and not 0 < value <= 10000:
            raise ValidationFailed("A percentage coupon takes 1 to 10000 basis points (0.01 % to 100 %).")
        if kind == CouponKind.FIXED and value <= 0:
            raise ValidationFailed("A fixed coupon needs a positive amount.")
        self.id: int | None = None
        self.code = code
        self.kind = kind
        self.value = value
        self.currency = currency
        self.min_subtotal = min_subtotal
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.usage_limit = usage_limit
        self.per_customer_limit = per_customer_limit
        self.product_ids = list(product_ids or [])
        self.category_ids = list(category_ids or [])
        self.active = active
        self.description = description
        # Issued to one customer (a campaign's personal code): nobody else may use it.
        self.customer_id = customer_id
        self.times_used = 0

    def campaign_problem(self, single_use: bool) -> str | None:
        """Why a campaign cannot offer this coupon (shared, or as the template of personal codes), or None."""
        if self.customer_id is not None:
            return f"{self.code} was issued to one customer; a campaign needs a coupon for everyone."
        if single_use and len(self.code) > MAX_TEMPLATE_CODE:
            return (
                f"A template coupon's code has at most {MAX_TEMPLATE_CODE} characters "
                f"(personal codes add {PERSONAL_SUFFIX + 1})."
            )
        return None

    def personal_copy(self, customer_id: int, description: str) -> Coupon:
        """A single-use code for one customer with this coupon's terms (a campaign's template coupon): the
        code is this one's plus a random part, so nobody can guess another customer's."""
        problem = self.campaign_problem(single_use=True)
        if problem:
            raise ValidationFailed(problem)
        suffix = "".join(secrets.choice(_PERSONAL_ALPHABET) for _ in range(PERSONAL_SUFFIX))
        return Coupon(
            f"{self.code}-{suffix}",
            self.kind,
            self.value,
            self.currency,
            min_subtotal=self.min_subtotal,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            usage_limit=1,
            per_customer_limit=1,
            product_ids=self.product_ids,
            category_ids=self.category_ids,
            description=description[:300],
            customer_id=customer_id,
        )

    def _scoped(self, line: EligibleLine) -> bool:
        if not self.product_ids and not self.category_ids:
            return True
        return line.product_id in self.product_ids or bool(line.category_ids & set(self.category_ids))

    def evaluate(
        self,
        lines: list[EligibleLine],
        currency: str,
        customer_uses: int,
        now: datetime,
        customer_id: int | None = None,
    ) -> CouponOutcome:
        """The discount on these lines, or CouponNotApplicable with the reason a shopper can act on."""

        def refuse(reason: str) -> CouponNotApplicable:
            return CouponNotApplicable(self.code, reason)

        if self.customer_id is not None and customer_id != self.customer_id:
            raise refuse("it was issued to someone else.")
        if not self.active:
            raise refuse("it is no longer active.")
        if self.starts_at and now < self.starts_at:
            raise refuse(f"it starts on {self.starts_at:%Y-%m-%d}.")
        if self.ends_at and now >= self.ends_at:
            raise refuse(f"it expired on {self.ends_at:%Y-%m-%d}.")
        if self.usage_limit is not None and self.times_used >= self.usage_limit:
            raise refuse("it has been used up.")
        if self.per_customer_limit is not None and customer_uses >= self.per_customer_limit:
            raise refuse("you have already used it.")
        if self.kind != CouponKind.PERCENT and self.currency != currency:
            raise refuse(f"it is for orders in {self.currency}.")
        subtotal = sum(line.amount for line in lines)
        if subtotal < self.min_subtotal:
            missing = Money(self.min_subtotal - subtotal, currency)
            raise refuse(f"it needs a subtotal of {Money(self.min_subtotal, currency)}; add {missing} more.")
        scoped = [line.amount if self._scoped(line) else 0 for line in lines]
        base = sum(scoped)
        if base == 0:
            raise refuse("none of the items in your cart are included.")
        if self.kind == CouponKind.FREE_SHIPPING:
            return CouponOutcome(Money(0, currency), True, tuple(0 for _ in lines))
        if self.kind == CouponKind.PERCENT:
            discount = Money(base, currency).basis_points(self.value)
        else:
            discount = Money(min(self.value, base), currency)
        split = discount.allocate(scoped)
        return CouponOutcome(discount, False, tuple(m.amount for m in split))


class CouponRedemption:
    def __init__(self, coupon_id: int, customer_id: int, order_id: int, at: datetime) -> None:
        self.id: int | None = None
        self.coupon_id = coupon_id
        self.customer_id = customer_id
        self.order_id = order_id
        self.created_at = at
        self.voided = False


#: A personal code is the template's code, "-" and this many characters (the whole at most 40).
PERSONAL_SUFFIX = 8
MAX_TEMPLATE_CODE = 40 - 1 - PERSONAL_SUFFIX
_PERSONAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I: codes are read and typed by people


def personal_code_example(template: str) -> str:
    """The shape of a personal code made from ``template`` (what a test send shows: not a working code)."""
    return f"{template}-{'X' * PERSONAL_SUFFIX}"


def normalise_code(code: str) -> str:
    code = code.strip().upper()
    if not code or len(code) > 40 or not all(c.isalnum() or c in "-_" for c in code):
        raise ValidationFailed("A coupon code is 1-40 letters, digits, '-' or '_'.")
    return code
