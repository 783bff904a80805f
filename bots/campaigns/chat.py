"""Campaign messages inside the conversation: the Unsubscribe and product buttons they carry, and how a
web chat shows a ``MarketingMessage``.

Buttons are signed payloads: ``mu.<campaign>`` opts the shopper out (``SetMarketingConsent(False)``, source
``campaign:<id>``, plus a ``campaign_optout`` analytics row); ``mc.<campaign>.<sku>`` records a
``campaign_click`` with the campaign id (what attribution reads) and opens the product.
``mco.<campaign>`` (an abandoned-cart reminder) records a click the same way and starts checkout.
Wiring: ``register(router)`` from ``bots.shopper.shopper_router``; ``marketing_replies`` from the
engine's ``_outgoing`` for ``MarketingMessage`` events.
"""

from __future__ import annotations

from bots.campaigns.featured import FeaturedProducts
from bots.conversation.formatting import parse
from bots.conversation.messages import ProductListItem, Promotion, QuickReplies, Reply
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.turn import Router, Turn
from bots.shopper.checkout import start as start_checkout
from bots.shopper.product import show_product
from bots.shopper.render import menu_buttons, stock_text
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
    product = await turn.services.views.product(sku=payload.str_arg(1), locale=turn.locale)
    turn.record("campaign_click", properties={"campaign_id": campaign_id, "sku": payload.str_arg(1)})
    if product is None:
        raise BadPayload("stale")
    return await show_product(turn, product.id)


async def marketing_replies(turn: Turn, event: ev.MarketingMessage) -> list[Reply]:
    """The campaign message as the web chat shows it: formatted text, image, the code, a card per featured
    product (name, price, stock, picture) and the Unsubscribe button."""
    _ = turn.t
    code = _("Your code: {code}", code=event.coupon) if event.coupon else ""
    featured = await FeaturedProducts(turn.services.views, ttl=0).get(event.skus, turn.locale)
    products = tuple(
        ProductListItem(
            p.product_id or 0,
            p.name,
            p.price,
            p.image,
            stock_text(turn, p.available) if p.price else "",
            turn.button(p.name[:60], "mc", event.campaign_id, p.sku),
        )
        for p in featured
    )
    buttons = [turn.button(_("Unsubscribe"), "mu", event.campaign_id)]
    if event.checkout:
        buttons.insert(0, turn.button(_("Check out"), "mco", event.campaign_id))
    return [Promotion(parse(event.text), event.image_url, code, tuple(buttons), products)]


async def checkout_button(turn: Turn, payload: Payload) -> list[Reply]:
    """An abandoned-cart reminder's Check out: a click for the campaign, then checkout of the cart as it is."""
    turn.record("campaign_click", properties={"campaign_id": payload.int_arg(0), "checkout": True})
    return await start_checkout(turn)


def register(router: Router) -> None:
    router.actions["mu"] = unsubscribe_button
    router.actions["mc"] = click_button
    router.actions["mco"] = checkout_button
