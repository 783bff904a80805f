"""Preferences: unsubscribe from marketing messages (recorded in the consent ledger)."""

from __future__ import annotations

from bots.conversation.messages import QuickReplies, Reply
from bots.conversation.turn import Router, Turn
from bots.shopper.render import menu_buttons
from domain import commands as c
from nlu.interface import ParseResult


async def unsubscribe_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    await turn.services.bus.handle(
        c.SetMarketingConsent(turn.customer_id, False, f"chat:{turn.inbound.channel}", actor=turn.actor)
    )
    text = _("Done: you won't get offers from us any more. Order updates still reach you.")
    return [QuickReplies(text, menu_buttons(turn))]


def register(router: Router) -> None:
    router.intents["unsubscribe"] = unsubscribe_intent
