"""Domain errors in the shopper's language.

The domain speaks English to every caller (staff tools, logs, the API); the shopper's words are chosen here,
at the edge: each English message the domain can show a shopper is matched to a msgid with the same
placeholders. A message not listed here is shown as the domain wrote it (tests/unit/bots/test_problems.py
checks that the patterns still match what the domain says, so a reworded domain message fails there).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from babel import Locale, UnknownLocaleError

from bots.conversation.turn import Turn
from bots.i18n import Translator
from domain.errors import DomainError, OutOfStock

log = logging.getLogger(__name__)


def _(message: str) -> str:
    """Marks a msgid for extraction; translated when shown (the shopper's locale is known only then)."""
    return message


# (English pattern, msgid): the groups fill the msgid's placeholders of the same name.
_PATTERNS: tuple[tuple[str, str], ...] = (
    # Addresses (domain/model/shipping.py)
    (r"Please give the recipient's full name\.", _("Please give the recipient's full name.")),
    (r"Please give the street and number\.", _("Please give the street and number.")),
    (r"Please give the city\.", _("Please give the city.")),
    (r"The (?P<field>\w+) is too long\.", _("That answer is too long.")),
    (
        r"(?P<value>.+) is not a country we know \(type its name, or two letters like US or CN\)\.",
        _("{value} is not a country we know. Type its name, or two letters like US or CN."),
    ),
    (r"An empty postal code is not a valid postal code for (?P<country>\w+)\.", _("Please give the postal code.")),
    (
        r"(?P<value>.+) is not a valid postal code for (?P<country>\w+)\.",
        _("{value} is not a valid postal code for {country}."),
    ),
    (r"(?P<value>.+) is not a phone number\.", _("{value} is not a phone number.")),
    (
        r"(?P<value>.+) is not a valid phone number for (?P<country>\w+)\.",
        _("{value} is not a valid phone number for {country}."),
    ),
    # Cart and checkout (domain/model/cart.py, the cart and order handlers)
    (r"Add at least one\.", _("Add at least one.")),
    (r"A quantity can't be negative\.", _("A quantity can't be negative.")),
    (r"At most (?P<n>\d+) of one item per order\.", _("At most {n} of one item per order.")),
    (r"A cart holds at most (?P<n>\d+) different items\.", _("A cart holds at most {n} different items.")),
    (r"Your cart is empty\.", _("Your cart is empty.")),
    (r"We don't sell (?P<value>.+)\.", _("We don't sell {value}.")),
    (
        r"Something in your cart is no longer sold; remove it\.",
        _("Something in your cart is no longer sold; remove it."),
    ),
    (r"(?P<name>.+) is no longer sold; remove it\.", _("{name} is no longer sold; remove it.")),
    (r"(?P<name>.+) is no longer sold\.", _("{name} is no longer sold.")),
    (r"We can't ship by (?P<method>.+) to (?P<country>\w+)\.", _("We can't ship by {method} to {country}.")),
    (r"The total changed to (?P<new>.+) \(you saw (?P<old>.+)\)\.", _("The total changed to {new} (you saw {old}).")),
    (r"That checkout belongs to someone else\.", _("That checkout belongs to someone else.")),
    (r"No order #(?P<id>\d+)\.", _("There is no order #{id}.")),
    (
        r"Order (?P<ref>\S+) is (?P<current>[\w ]+) and can't become (?P<target>[\w ]+)\.",
        _("Order {ref} is {current} and can't become {target}."),
    ),
    (r"Please tell us why you are returning the order\.", _("Please tell us why you are returning the order.")),
    (
        r"(?P<value>.+) is not a time zone \(e\.g\. Europe/Berlin\)\.",
        _("{value} is not a time zone (e.g. Asia/Shanghai)."),
    ),
    (r"(?P<value>.+) is not an e-mail address: .*", _("{value} is not an e-mail address.")),
    # Coupon reasons (domain/model/coupons.py, the cart and order handlers): "Coupon X can't be used: <reason>"
    (r"Coupon (?P<code>\S+) can't be used: (?P<reason>.+)", _("Coupon {code} can't be used: {reason}")),
    (r"there is no such code\.", _("there is no such code.")),
    (r"your cart is empty\.", _("your cart is empty.")),
    (r"it was issued to someone else\.", _("it was issued to someone else.")),
    (r"it is no longer active\.", _("it is no longer active.")),
    (r"it starts on (?P<date>[\d-]+)\.", _("it starts on {date}.")),
    (r"it expired on (?P<date>[\d-]+)\.", _("it expired on {date}.")),
    (r"it has been used up\.", _("it has been used up.")),
    (r"you have already used it\.", _("you have already used it.")),
    (r"it is for orders in (?P<currency>[A-Z]{3})\.", _("it is for orders in {currency}.")),
    (
        r"it needs a subtotal of (?P<minimum>.+); add (?P<missing>.+) more\.",
        _("it needs a subtotal of {minimum}; add {missing} more."),
    ),
    (r"none of the items in your cart are included\.", _("none of the items in your cart are included.")),
)
_COMPILED = tuple((re.compile(pattern, re.DOTALL), msgid) for pattern, msgid in _PATTERNS)


def country_name(t: Translator, code: str) -> str:
    """ "CN" -> "China" / "中国" in the shopper's language; anything not a territory code unchanged."""
    try:
        names = Locale.parse("zh_Hans" if t.locale == "zh" else t.locale).territories
    except (ValueError, UnknownLocaleError):
        return code
    name = names.get(code.upper()) if len(code) == 2 else None
    return name if isinstance(name, str) else code


def translate_message(t: Translator, message: str, status: Callable[[str], str] | None = None) -> str:
    """The domain's English ``message`` in the shopper's language (unchanged when no pattern knows it)."""
    for pattern, msgid in _COMPILED:
        found = pattern.fullmatch(message.strip())
        if found is None:
            continue
        values = {k: v for k, v in found.groupdict().items() if v is not None}
        if "country" in values:
            values["country"] = country_name(t, values["country"])
        if "reason" in values:
            values["reason"] = translate_message(t, values["reason"], status)
        for key in ("current", "target"):
            if key in values and status is not None:
                values[key] = status(values[key].replace(" ", "_"))
        return t(msgid, **values)
    if t.locale != "en":  # a domain message nobody mapped yet: shown in English, and named so it gets mapped
        log.info("domain message without a translation: %r", message)
    return message


def explain(
    t: Translator, exc: DomainError, status: Callable[[str], str] | None = None, name: str | None = None
) -> str:
    """What a shopper reads for a domain error: its message, in their language (an item out of stock by the
    ``name`` the shopper saw, when the flow knows it, else by its SKU)."""
    if isinstance(exc, OutOfStock):
        if exc.available <= 0:
            return t(_("{sku} is out of stock."), sku=name or exc.sku)
        ngettext = t.plural
        return ngettext(
            "Only {n} of {sku} is left; you asked for {requested}.",
            "Only {n} of {sku} are left; you asked for {requested}.",
            exc.available,
            sku=name or exc.sku,
            requested=exc.requested,
        )
    return translate_message(t, exc.message, status)


def problem_text(turn: Turn, exc: DomainError, name: str | None = None) -> str:
    """``explain`` for a flow's turn (order states named as the shopper's order list names them)."""
    from bots.shopper.render import status_text  # render shows coupon problems with translate_message

    return explain(turn.t, exc, lambda status: status_text(turn, status), name)
