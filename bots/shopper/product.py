"""The product card: images, price, variant choice with stock; remembers what the shopper is looking at.

A variant that is out of stock offers "Notify me when it's back" (``bis.<product>.<variant>``): the domain
records a stock subscription, and an approved back-in-stock campaign messages the shopper once when the
SKU is available again. That notice is a campaign, so it needs marketing consent: a shopper who has not
given it is told so and offered "Allow messages from us" (``optin``), written to the consent ledger.
"""

from __future__ import annotations

from collections.abc import Mapping

from bots.conversation.messages import QuickReplies, Reply, Text
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.turn import Router, Turn
from bots.shopper.render import (
    find_option_value,
    matching,
    menu_buttons,
    option_name,
    options_of,
    product_card,
    selected_variant,
    variant_label,
    varying_options,
)
from domain import commands as c
from domain.views.models import ProductDetail, VariantView
from nlu.interface import ParseResult

# Entities that name something else than an option of the product on show ("red socks" is a new search).
OTHER_THINGS = ("product", "category", "brand", "max_price", "order_id", "coupon_code")


async def load_product(turn: Turn, product_id: int) -> ProductDetail:
    product = await turn.services.views.product(product_id=product_id, locale=turn.locale)
    if product is None or not product.active:
        raise BadPayload("stale")
    return product


def chosen_for(turn: Turn, product: ProductDetail) -> dict[str, str]:
    """What the shopper chose so far on this product's card (kept while they look at it)."""
    remembered = turn.state.memory.get("choice") or {}
    if remembered.get("product_id") != product.id:
        return {}
    return {str(k): str(v) for k, v in dict(remembered.get("options") or {}).items()}


async def show_product(
    turn: Turn, product: ProductDetail | int, chosen: Mapping[str, str] | None = None, note: str = ""
) -> list[Reply]:
    """The card with ``chosen`` options (nothing pre-selected), remembered as what is on show. Pass the product
    when this turn already loaded it (and ran no command since): it is not read again."""
    if not isinstance(product, ProductDetail):
        product = await load_product(turn, product)
    card = product_card(turn, product, chosen)
    options = dict(chosen or {})
    selected = selected_variant(product, options)
    turn.state.memory["product_id"] = product.id
    turn.state.memory["variant_id"] = selected.id if selected else None
    turn.state.memory["choice"] = {"product_id": product.id, "options": options}
    turn.state.memory["on_show"] = product.id
    turn.record("product_viewed", product_id=product.id, properties={"variant": selected.sku if selected else None})
    return [Text(note), card] if note else [card]


async def product_button(turn: Turn, payload: Payload) -> list[Reply]:
    """``p.<product>`` opens the card; ``p.<product>.<variant>`` (a deep link to a SKU) with that variant chosen."""
    product = await load_product(turn, payload.int_arg(0))
    if len(payload.args) > 1:
        variant = _variant(product, payload.int_arg(1))
        return await show_product(turn, product, options_of(product, variant))
    return await show_product(turn, product)


def _variant(product: ProductDetail, variant_id: int) -> VariantView:
    variant = next((v for v in product.variants if v.id == variant_id and v.active), None)
    if variant is None:
        raise BadPayload("stale")
    return variant


async def variant_button(turn: Turn, payload: Payload) -> list[Reply]:
    product = await load_product(turn, payload.int_arg(0))
    variant = _variant(product, payload.int_arg(1))
    return await show_product(turn, product, options_of(product, variant))


async def option_button(turn: Turn, payload: Payload) -> list[Reply]:
    """``po.<product>.<variant>.<mask>``: the options of that variant named by the mask's bits are chosen."""
    product = await load_product(turn, payload.int_arg(0))
    variant = _variant(product, payload.int_arg(1))
    keys = varying_options(product)
    mask = payload.int_arg(2)
    if mask >= 1 << len(keys):
        raise BadPayload("stale")
    chosen = {k: variant.options[k] for i, k in enumerate(keys) if mask & (1 << i) and k in variant.options}
    return await show_product(turn, product, chosen)


def typed_options(product: ProductDetail, parse: ParseResult) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The options a message names for this product: (found as the product spells them, [(key, typed)
    the product doesn't come in]). A bare value ("42", "navy") counts when the product has it."""
    found: dict[str, str] = {}
    missing: list[tuple[str, str]] = []
    keys = varying_options(product)
    for key, entity in (("color", "color"), ("colour", "color"), ("size", "size")):
        typed = parse.first(entity)
        if key not in keys or not typed or key in found:
            continue
        value = find_option_value(product, key, typed)
        if value is None:
            missing.append((key, typed))
        else:
            found[key] = value
    if not parse.entities:
        for key in keys:
            value = find_option_value(product, key, parse.text)
            if value is not None:
                found[key] = value
    return found, missing


async def choose_typed(turn: Turn, parse: ParseResult) -> list[Reply] | None:
    """A colour or size typed while a product is on show chooses that option of that product; None when
    the message is about something else (it names a product, a category, a brand…)."""
    if turn.on_show is None or any(parse.first(k) for k in OTHER_THINGS):
        return None
    product = await turn.services.views.product(product_id=turn.on_show, locale=turn.locale)
    if product is None or not product.active:
        return None
    found, missing = typed_options(product, parse)
    if not (found or missing):
        return None
    _ = turn.t
    chosen = {**chosen_for(turn, product), **found}
    for key in found:  # a new colour may not come in the size chosen before: drop what no longer combines
        for other in [k for k in chosen if k != key]:
            if not matching(product, {key: found[key], other: chosen[other]}):
                del chosen[other]
    note = ""
    if missing:
        key, typed = missing[0]
        values = sorted({v.options[key] for v in matching(product, {}) if key in v.options}, key=_natural)
        note = _(
            "{name} doesn't come in {option} {value}. It comes in: {values}.",
            name=product.name,
            option=option_name(turn, key).lower(),
            value=typed,
            values=", ".join(values),
        )
    return await show_product(turn, product, chosen, note)


def _natural(value: str) -> tuple[int, float, str]:
    try:
        return (0, float(value), value)
    except ValueError:
        return (1, 0.0, value)


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
    name = f"{product.name} ({variant_label(variant, turn)})"
    if result.status == "in_stock":
        chosen = options_of(product, variant)
        return [Text(_("Good news: it's in stock now.")), *(await show_product(turn, product.id, chosen))]
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


def register(router: Router) -> None:
    router.actions["p"] = product_button
    router.actions["pv"] = variant_button
    router.actions["po"] = option_button
    router.actions["bis"] = notify_button
    router.actions["optin"] = opt_in_button
