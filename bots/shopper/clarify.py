"""When a message is not understood well enough to act on: ask which of the likely requests was meant.

The engine calls ``ask`` below its confidence threshold (or when the top two intents are close). The
buttons carry the intent (``ask.<intent>``); pressing one runs that intent on the words the shopper typed,
remembered for the purpose, so "my orders" asked about becomes the orders list with one tap.
"""

from __future__ import annotations

import dataclasses

from bots.conversation.messages import Reply
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.turn import Router, Turn
from bots.shopper import menu, product
from bots.shopper.render import main_menu
from nlu.interface import ParseResult

MIN_SHARE = 0.1  # an intent less likely than this is not worth a button
MAX_CHOICES = 3


def _phrases(turn: Turn) -> dict[str, tuple[str, str]]:
    """intent -> (what it does, in a question: "see your orders"; its button: "See my orders")."""
    _ = turn.t
    return {
        "order_status": (_("see your orders"), _("See my orders")),
        "cancel_order": (_("cancel an order"), _("Cancel an order")),
        "return_request": (_("return an order"), _("Return an order")),
        "view_cart": (_("see your cart"), _("See my cart")),
        "remove_from_cart": (_("remove something from your cart"), _("Remove from cart")),
        "checkout": (_("check out"), _("Check out")),
        "apply_coupon": (_("use a coupon"), _("Use a coupon")),
        "browse_catalog": (_("browse the shop"), _("Browse categories")),
        "talk_to_human": (_("talk to a person"), _("Talk to a person")),
        "unsubscribe": (_("stop our offers"), _("Stop offers")),
        "shipping_info": (_("know about shipping"), _("Shipping")),
        "payment_help": (_("get help with paying"), _("Help with paying")),
    }


async def ask(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    chose = await product.choose_typed(turn, parse)  # a bare option value to the card on show
    if chose is not None:
        return chose
    phrases = _phrases(turn)
    ranking = parse.intent_ranking or ((parse.intent, parse.confidence),)
    choices = [intent for intent, share in ranking if intent in phrases and share >= MIN_SHARE][:MAX_CHOICES]
    if not choices:
        return await menu.fallback(turn, parse)
    turn.state.memory["asked"] = parse.text[:500]
    turn.record("clarification_asked", properties={"choices": choices, "confidence": round(parse.confidence, 3)})
    said = [phrases[i][0] for i in choices]
    if len(said) == 1:
        question = _("Did you want to {first}?", first=said[0])
    else:
        question = _("Did you want to {first} or {last}?", first=", ".join(said[:-1]), last=said[-1])
    buttons = [turn.button(phrases[i][1], "ask", i) for i in choices]
    buttons.append(turn.button(_("Something else"), "m"))
    reply = main_menu(turn, question)
    return [dataclasses.replace(reply, buttons=tuple(buttons))]


def register(router: Router) -> None:
    async def answer_button(turn: Turn, payload: Payload) -> list[Reply]:
        """The shopper said which one: run it on what they typed (its entities, an order number, a code)."""
        intent = payload.str_arg(0)
        handler = router.intents.get(intent) if intent in _phrases(turn) else None
        text = turn.state.memory.pop("asked", None)
        if handler is None or not isinstance(text, str):
            raise BadPayload("stale")
        parse = await turn.services.nlu.parse(text, turn.locale)
        return await handler(turn, dataclasses.replace(parse, intent=intent, confidence=1.0))

    router.ask = ask
    router.actions["ask"] = answer_button
