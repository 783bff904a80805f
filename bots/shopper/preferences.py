"""Preferences: unsubscribe from marketing messages (recorded in the consent ledger), after a yes."""

from __future__ import annotations

from bots.conversation.messages import QuickReplies, Reply
from bots.conversation.payloads import Payload
from bots.conversation.turn import Router, Turn
from bots.shopper.render import menu_buttons
from domain import commands as c
from nlu.interface import ParseResult


async def unsubscribe_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    """Typed words are never enough to change consent: the shopper confirms with a button."""
    _ = turn.t
    buttons = (turn.button(_("Yes, stop offers"), "unsub"), turn.button(_("No, keep them"), "m"))
    return [QuickReplies(_("Stop offers from us? Order updates still reach you."), buttons)]


async def confirm_button(turn: Turn, payload: Payload) -> list[Reply]:
    _ = turn.t
    await turn.services.bus.handle(
        c.SetMarketingConsent(turn.customer_id, False, f"chat:{turn.inbound.channel}", actor=turn.actor)
    )
    text = _("Done: you won't get offers from us any more. Order updates still reach you.")
    return [QuickReplies(text, menu_buttons(turn))]


def register(router: Router) -> None:
    router.intents["unsubscribe"] = unsubscribe_intent
    router.actions["unsub"] = confirm_button
