"""Hand-off to a human: a ticket with the transcript; the bot stays quiet until the ticket is closed."""

from __future__ import annotations

from bots.conversation.messages import HandoffNotice, Reply
from bots.conversation.payloads import Payload
from bots.conversation.turn import Router, Turn
from domain import commands as c
from nlu.interface import ParseResult


async def hand_off(turn: Turn, subject: str) -> list[Reply]:
    _ = turn.t
    turn.state.finish()
    ticket_id = int(
        await turn.services.bus.handle(
            c.OpenTicket(
                turn.customer_id,
                turn.inbound.channel,
                turn.inbound.chat_id,
                subject[:200] or "Help",
                tuple(turn.state.transcript),
            )
        )
    )
    turn.state.handoff_ticket = ticket_id
    text = _(
        "I've asked a person to join (ticket #{id}). They will answer here; I'll stay quiet until they're done.",
        id=ticket_id,
    )
    return [HandoffNotice(text, ticket_id, True, (turn.button(_("Back to the bot"), "hend", ticket_id),))]


async def human_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    return await hand_off(turn, parse.text)


async def human_button(turn: Turn, payload: Payload) -> list[Reply]:
    _ = turn.t
    return await hand_off(turn, _("Help requested from the menu"))


async def end_button(turn: Turn, payload: Payload) -> list[Reply]:
    """The shopper leaves the human conversation; closing is allowed for the ticket's owner."""
    _ = turn.t
    ticket_id = payload.int_arg(0)
    await turn.services.bus.handle(c.CloseTicket(ticket_id, actor=turn.actor))
    if turn.state.handoff_ticket == ticket_id:
        turn.state.handoff_ticket = None
    from bots.shopper.render import menu_buttons

    return [HandoffNotice(_("You're back with the shop bot."), ticket_id, False, menu_buttons(turn))]


def register(router: Router) -> None:
    router.intents["talk_to_human"] = human_intent
    router.actions.update(hum=human_button, hend=end_button)
