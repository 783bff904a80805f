"""Typed domain errors, each with a message a shopper or operator can read."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: ``code`` is stable for programs, ``message`` is for people."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class ValidationFailed(DomainError):
    code = "invalid"


class OutOfStock(DomainError):
    code = "out_of_stock"

    def __init__(self, sku: str, requested: int, available: int) -> None:
        if available <= 0:
            message = f"Sorry, {sku} is out of stock."
        else:
            message = f"Only {available} of {sku} left; you asked for {requested}."
        super().__init__(message)
        self.sku = sku
        self.requested = requested
        self.available = available


class CouponNotApplicable(DomainError):
    code = "coupon_not_applicable"

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"Coupon {code} can't be used: {reason}")
        self.coupon_code = code
        self.reason = reason


class IllegalTransition(DomainError):
    code = "illegal_transition"

    def __init__(self, order_ref: str, current: str, target: str, message: str | None = None) -> None:
        super().__init__(
            message or f"Order {order_ref} is {current.replace('_', ' ')} and can't become {target.replace('_', ' ')}."
        )
        self.current = current
        self.target = target


class PaymentExpired(DomainError):
    code = "payment_expired"


class PaymentFailed(DomainError):
    code = "payment_failed"


class RefundTooLarge(DomainError):
    code = "refund_too_large"


class PermissionDenied(DomainError):
    code = "permission_denied"


class CartEmpty(DomainError):
    code = "cart_empty"

    def __init__(self) -> None:
        super().__init__("Your cart is empty.")


class PriceChanged(DomainError):
    code = "price_changed"


class Conflict(DomainError):
    """A concurrent change or a duplicate request with different content."""

    code = "conflict"
