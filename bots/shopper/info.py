"""Shipping information and payment help, from the shop's own settings and the shopper's orders."""

from __future__ import annotations

from bots.conversation.messages import QuickReplies, Reply
from bots.conversation.turn import Router, Turn
from bots.shopper.problems import country_name
from bots.shopper.render import days_text, menu_buttons, method_name
from nlu.interface import ParseResult


async def shipping_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    profile = await turn.services.views.customer(turn.customer_id)
    country = (profile.country if profile else None) or "US"
    options = await turn.services.views.shipping_options(country, 0)
    if not options:
        return [
            QuickReplies(
                _("We don't ship to {country} yet.", country=country_name(turn.t, country)), menu_buttons(turn)
            )
        ]
    lines = [_("Shipping to {country}:", country=country_name(turn.t, country))]
    for option in options:
        price = turn.money(option.price, option.currency)
        line = _("{name}: {price}, {days}", name=method_name(turn, option), price=price, days=days_text(turn, option))
        if option.free_over is not None:
            line += " " + _("(free over {amount})", amount=turn.money(option.free_over, option.currency))
        lines.append(line)
    return [QuickReplies("\n".join(lines), menu_buttons(turn))]


async def payment_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    orders = await turn.services.views.orders_of(turn.customer_id, limit=5)
    text = _(
        "You pay on a secure payment page: after you confirm your order I send you a link. "
        "Your items stay reserved until the link expires."
    )
    buttons = [turn.button(_("Pay order #{id}", id=o.id), "pay", o.id) for o in orders if o.status == "pending_payment"]
    if buttons:
        text += "\n" + _("These orders are waiting for payment:")
    buttons.append(turn.button(_("Talk to a person"), "hum"))
    return [QuickReplies(text, tuple(buttons))]


def register(router: Router) -> None:
    router.intents.update(shipping_info=shipping_intent, payment_help=payment_intent)
