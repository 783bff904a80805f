"""The product card: images, price, variant choice with stock; remembers what the shopper is looking at.

A variant that is out of stock offers "Notify me when it's back" (``bis.<product>.<variant>``): the domain
records a stock subscription, and an approved back-in-stock campaign messages the shopper once when the
SKU is available again. That notice is a campaign, so it needs marketing consent: a shopper who has not
given it is told so and offered "Allow messages from us" (``optin``), written to the consent ledger.
"""

from __future__ import annotations

from bots.conversation.messages import QuickReplies, Reply, Text
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.turn import Router, Turn
from bots.shopper.render import choose_variant, menu_buttons, product_card, variant_label
from domain import commands as c
from domain.views.models import ProductDetail, VariantView
from nlu.interface import ParseResult


def pick_variant(product: ProductDetail, color: str | None, size: str | None) -> list[VariantView]:
    """Active variants matching the colour/size the shopper named (all of them when none named)."""
    found = []
    for variant in product.variants:
        options = {k.lower(): v.lower() for k, v in variant.options.items()}
        if not variant.active:
            continue
        if color and options.get("color", options.get("colour")) != color.lower():
            continue
        if size and options.get("size") != size.lower():
            continue
        found.append(variant)
    return found


async def load_product(turn: Turn, product_id: int) -> ProductDetail:
    product = await turn.services.views.product(product_id=product_id)
    if product is None or not product.active:
        raise BadPayload("stale")
    return product


async def show_product(turn: Turn, product_id: int, variant: VariantView | None = None) -> list[Reply]:
    product = await load_product(turn, product_id)
    selected = choose_variant(product, variant)
    card = product_card(turn, product, selected)
    turn.state.memory["product_id"] = product.id
    turn.state.memory["variant_id"] = selected.id if selected else None
    turn.record("product_viewed", product_id=product.id, properties={"variant": selected.sku if selected else None})
    return [card]


async def product_button(turn: Turn, payload: Payload) -> list[Reply]:
    return await show_product(turn, payload.int_arg(0))


async def variant_button(turn: Turn, payload: Payload) -> list[Reply]:
    product = await load_product(turn, payload.int_arg(0))
    variant_id = payload.int_arg(1)
    variant = next((v for v in product.variants if v.id == variant_id and v.active), None)
    if variant is None:
        raise BadPayload("stale")
    return await show_product(turn, product.id, variant)


async def notify_button(turn: Turn, payload: Payload) -> list[Reply]:
    _ = turn.t
    product = await load_product(turn, payload.int_arg(0))
    variant_id = payload.int_arg(1)
    variant = next((v for v in product.variants if v.id == variant_id and v.active), None)
    if variant is None:
        raise BadPayload("stale")
    result = await turn.services.bus.handle(
        c.SubscribeToStock(turn.customer_id, variant.sku, turn.inbound.channel, actor=turn.actor)
    )
    name = f"{product.name} ({variant_label(variant)})"
    if result.status == "in_stock":
        return [Text(_("Good news: it's in stock now.")), *(await show_product(turn, product.id, variant))]
    if result.status == "subscribed":
        turn.record("stock_subscription", product_id=product.id, properties={"sku": variant.sku})
        text = _("Done: we'll message you once when {name} is back in stock.", name=name)
    else:
        text = _("You're on the list already: we'll message you once when {name} is back in stock.", name=name)
    if not result.marketing_opt_in:
        text += "\n" + _("You haven't allowed messages from us yet, so the notice can't reach you. Allow them?")
        return [QuickReplies(text, (turn.button(_("Allow messages from us"), "optin"), *menu_buttons(turn)))]
    return [QuickReplies(text, menu_buttons(turn))]


async def opt_in_button(turn: Turn, payload: Payload) -> list[Reply]:
    _ = turn.t
    source = f"chat:{turn.inbound.channel}:back_in_stock"
    await turn.services.bus.handle(c.SetMarketingConsent(turn.customer_id, True, source, actor=turn.actor))
    text = _('Thanks: you\'ll hear from us, and you can say "unsubscribe" at any time.')
    return [QuickReplies(text, menu_buttons(turn))]


async def details_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    from bots.shopper import search

    if parse.first("product") is None and turn.state.memory.get("product_id") and not parse.entities:
        return await show_product(turn, int(turn.state.memory["product_id"]))
    return await search.search_intent(turn, parse)


def register(router: Router) -> None:
    router.intents["product_details"] = details_intent
    router.actions["p"] = product_button
    router.actions["pv"] = variant_button
    router.actions["bis"] = notify_button
    router.actions["optin"] = opt_in_button
