"""Greeting, small talk and the main menu; the fallback that offers the menu when we don't understand."""

from __future__ import annotations

from bots.conversation.messages import Reply, Text
from bots.conversation.payloads import Payload
from bots.conversation.turn import Router, Turn
from bots.shopper.render import main_menu
from nlu.interface import ParseResult


async def greet(turn: Turn, parse: ParseResult | None = None) -> list[Reply]:
    _ = turn.t
    name = turn.inbound.user_name.strip()[:40]
    hello = (
        _("Hello {name}! I can help you find products, check out and follow your orders.", name=name)
        if name
        else _("Hello! I can help you find products, check out and follow your orders.")
    )
    return [main_menu(turn, hello + "\n" + _("Tell me what you are looking for, or pick one:"))]


async def goodbye(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    turn.state.finish()
    return [Text(_("Goodbye! Come back any time."))]


async def thanks(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    return [main_menu(turn, _("You're welcome! Anything else?"))]


async def fallback(turn: Turn, parse: ParseResult | None = None) -> list[Reply]:
    _ = turn.t
    if parse is not None:  # "42" or "navy" to the card on show is a choice, not nonsense
        from bots.shopper.product import choose_typed

        chose = await choose_typed(turn, parse)
        if chose is not None:
            return chose
    return [
        main_menu(
            turn,
            _(
                'Sorry, I didn\'t get that. You can search by typing what you want (e.g. "red shoes"), '
                "or pick one of these:"
            ),
        )
    ]


async def menu_button(turn: Turn, payload: Payload) -> list[Reply]:
    turn.state.finish()
    return [main_menu(turn)]


def register(router: Router) -> None:
    router.intents.update(
        greet=greet, goodbye=goodbye, thanks=thanks, out_of_scope=fallback, affirm=fallback, deny=fallback
    )
    router.actions["m"] = menu_button
    # The main menu's buttons, typed (or sent by a channel's keyboard), mean what they say.
    router.labels.update(
        {"Browse categories": "cats", "My cart": "cart", "My orders": "ords", "Talk to a person": "hum"}
    )
