"""Campaign messages inside the conversation: the Unsubscribe and product buttons they carry, and how a
web chat shows a ``MarketingMessage``.

Buttons are signed payloads: ``mu.<campaign>`` opts the shopper out (``SetMarketingConsent(False)``, source
``campaign:<id>``, plus a ``campaign_optout`` analytics row); ``mc.<campaign>.<sku>`` records a
``campaign_click`` with the campaign id (what attribution reads) and opens the product.
Wiring: ``register(router)`` from ``bots.shopper.shopper_router``; ``marketing_replies`` from the
engine's ``_outgoing`` for ``MarketingMessage`` events.
"""

from __future__ import annotations

from bots.conversation.formatting import parse
from bots.conversation.messages import Button, Promotion, QuickReplies, Reply
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.turn import Router, Turn
from bots.shopper.product import show_product
from bots.shopper.render import menu_buttons
from domain import commands as c
from domain import events as ev


async def unsubscribe_button(turn: Turn, payload: Payload) -> list[Reply]:
    campaign_id = payload.int_arg(0)
    _ = turn.t
    await turn.services.bus.handle(
        c.SetMarketingConsent(turn.customer_id, False, f"campaign:{campaign_id}", actor=turn.actor)
    )
    turn.record("campaign_optout", properties={"campaign_id": campaign_id})
    text = _("Done: you won't get offers from us any more. Order updates still reach you.")
    return [QuickReplies(text, menu_buttons(turn))]


async def click_button(turn: Turn, payload: Payload) -> list[Reply]:
    campaign_id = payload.int_arg(0)
    product = await turn.services.views.product(sku=payload.str_arg(1))
    turn.record("campaign_click", properties={"campaign_id": campaign_id, "sku": payload.str_arg(1)})
    if product is None:
        raise BadPayload("stale")
    return await show_product(turn, product.id)


def marketing_replies(turn: Turn, event: ev.MarketingMessage) -> list[Reply]:
    """The campaign message as the web chat shows it: formatted text, image, the code, product and Unsubscribe
    buttons."""
    _ = turn.t
    code = _("Your code: {code}", code=event.coupon) if event.coupon else ""
    buttons: list[Button] = [turn.button(_("View {sku}", sku=sku), "mc", event.campaign_id, sku) for sku in event.skus]
    buttons.append(turn.button(_("Unsubscribe"), "mu", event.campaign_id))
    return [Promotion(parse(event.text), event.image_url, code, tuple(buttons))]


def register(router: Router) -> None:
    router.actions["mu"] = unsubscribe_button
    router.actions["mc"] = click_button
