"""What the payment pages say, in the shopper's language: the sandbox pay page and the pages a shopper
lands on when Stripe Checkout sends them back (``/orders/N/paid`` and ``/orders/N/cancelled``).

Plain text only; the channel that builds the HTML escapes every string (translations included). The
phrases live here, beside the chat's, so ``python -m bots.locale.update`` extracts them.
"""

from __future__ import annotations

import math
from datetime import timedelta

from bots.i18n import Translator, translations

# Order states in which the shopper's money is in and stays with us: the page says "Payment received".
PAID_STATES = frozenset(
    {"paid", "awaiting_approval", "approved", "picking", "packed", "shipped", "delivered", "partially_refunded"}
)
# Beyond this a countdown in minutes is hard to read ("expires in 95 minutes"): say hours.
_MINUTES_SHOWN_UP_TO = 90


class PaymentPageTexts:
    def __init__(self, locale: str) -> None:
        self.t = Translator(locale)
        self.locale = self.t.locale
        self._catalog = translations(self.locale)

    @property
    def html_lang(self) -> str:
        return "zh-Hans" if self.locale == "zh" else "en"

    # --- the order table (both kinds of page) ----------------------------------------------------------
    def order_title(self, order_id: int) -> str:
        _ = self.t
        return _("Order #{id}", id=order_id)

    def line(self, quantity: int, name: str) -> str:
        return f"{quantity} × {name}"

    def discount(self, coupon_code: str | None = None) -> str:
        _ = self.t
        return _("Discount ({code})", code=coupon_code) if coupon_code else _("Discount")

    def shipping(self) -> str:
        _ = self.t
        return _("Shipping")

    def tax(self) -> str:
        _ = self.t
        return _("Tax")

    def total(self) -> str:
        _ = self.t
        return _("Total")

    # --- times, relative to now: no clock time in a zone the shopper may not be in ------------------------
    def expires_in(self, remaining: timedelta) -> str:
        _, ngettext = self.t, self._catalog.ngettext
        seconds = remaining.total_seconds()
        if seconds <= 0:
            return _("This payment link has expired.")
        minutes = math.ceil(seconds / 60)
        if minutes <= _MINUTES_SHOWN_UP_TO:
            return ngettext(
                "The payment link expires in {n} minute.", "The payment link expires in {n} minutes.", minutes
            ).format(n=minutes)
        hours = round(minutes / 60)
        return ngettext(
            "The payment link expires in about {n} hour.", "The payment link expires in about {n} hours.", hours
        ).format(n=hours)

    # --- the sandbox pay page ---------------------------------------------------------------------------
    def sandbox_title(self) -> str:
        _ = self.t
        return _("Sandbox payment")

    def sandbox_note(self) -> str:
        _ = self.t
        return _("Test payment page: no real money moves.")

    def pay(self, total: str) -> str:
        _ = self.t
        return _("Pay {total}", total=total)

    def pay_again(self, total: str) -> str:
        _ = self.t
        return _("Pay {total} with another card", total=total)

    def decline_button(self) -> str:
        _ = self.t
        return _("Decline the card (test)")

    def expire_button(self) -> str:
        _ = self.t
        return _("Let the link expire (test)")

    def declined(self) -> str:
        _ = self.t
        return _("The card was declined. No money was taken; you can try again with another card.")

    def session_state(self, status: str) -> str:
        """What a sandbox session that no longer takes money says."""
        _ = self.t
        return {
            "paid": _("Payment received. You can go back to the chat."),
            "declined": _("The card was declined."),
            "expired": _("This payment link has expired."),
            "closed": _("This order is already paid. Nothing more will be charged."),
        }.get(status, _("This payment link can't be used any more."))

    # --- the return pages (after Stripe Checkout) ---------------------------------------------------------
    def return_title(self, order_id: int) -> str:
        _ = self.t
        return _("Order #{id}", id=order_id)

    def order_state(self, status: str) -> str:
        """The order's real state, as it is now: the page never claims more than the shop knows."""
        _ = self.t
        if status in PAID_STATES:
            return _("Payment received. Thank you!")
        if status == "pending_payment":
            return _("We're confirming your payment…")
        if status == "cancelled":
            return _("This order was cancelled.")
        if status == "refunded":
            return _("This order was refunded.")
        if status in ("return_requested", "returned"):
            return _("This order is being returned.")
        return status.replace("_", " ")

    def confirming_hint(self) -> str:
        _ = self.t
        return _("This page updates by itself. If you didn't finish paying, nothing was charged.")

    def left_checkout(self) -> str:
        _ = self.t
        return _("You left the payment page. Nothing was charged.")

    def still_reserved(self) -> str:
        _ = self.t
        return _("Your order is still reserved: you can pay from the chat.")

    def paid_next(self) -> str:
        _ = self.t
        return _("We'll keep you posted in the chat.")

    def back_to_chat(self, channel: str) -> str:
        _ = self.t
        if channel == "telegram":
            return _("Back to the chat in Telegram")
        return _("Back to the chat")

    def close_page(self) -> str:
        _ = self.t
        return _("You can close this page.")

    def not_found(self) -> str:
        _ = self.t
        return _("No such order.")
