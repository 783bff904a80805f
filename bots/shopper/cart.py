"""Cart: add (from a card, or by name with colour/size/quantity), change quantities, remove, view."""

from __future__ import annotations

from bots.conversation.messages import QuickReplies, Reply, Text
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.turn import Router, Turn
from bots.shopper import product as product_flow
from bots.shopper import search
from bots.shopper.problems import problem_text
from bots.shopper.render import cart_summary, main_menu, selected_variant, variant_label
from domain import commands as c
from domain.errors import OutOfStock
from domain.model.catalog import catalog_locale
from domain.views.models import CartLineView, ProductDetail, VariantView
from nlu.interface import ParseResult

MAX_QUANTITY = 99


def _quantity(parse: ParseResult) -> int:
    try:
        return max(1, min(MAX_QUANTITY, int(parse.first("quantity") or 1)))
    except ValueError:
        return 1


async def add_variant(turn: Turn, product: ProductDetail, variant: VariantView, quantity: int) -> list[Reply]:
    _ = turn.t
    label = variant_label(variant, turn)
    name = f"{product.name} ({label})" if label != variant.sku else product.name
    try:
        command = c.AddToCart(turn.customer_id, variant.sku, quantity, actor=turn.actor)
        in_cart = await turn.services.bus.handle(command)
    except OutOfStock as exc:  # sold meanwhile: named as the shopper saw it, not by its SKU
        return [main_menu(turn, _("Sorry: {problem}", problem=problem_text(turn, exc, name=name)))]
    turn.state.memory.update(product_id=product.id, variant_id=variant.id)
    text = _(
        "Added {quantity} x {name} to your cart ({in_cart} in the cart now).",
        quantity=quantity,
        name=name,
        in_cart=in_cart,
    )
    buttons = (
        turn.button(_("View cart"), "cart"),
        turn.button(_("Check out"), "co"),
        turn.button(_("Keep shopping"), "cats"),
    )
    return [QuickReplies(text, buttons)]


async def add_button(turn: Turn, payload: Payload) -> list[Reply]:
    product_id, variant_id, quantity = payload.int_arg(0), payload.int_arg(1), payload.int_arg(2)
    product = await product_flow.load_product(turn, product_id)
    variant = next((v for v in product.variants if v.id == variant_id and v.active), None)
    if variant is None:
        raise BadPayload("stale")
    return await add_variant(turn, product, variant, max(1, min(MAX_QUANTITY, quantity)))


async def add_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    """Add what the shopper names, or the product on show, once every option that varies is chosen;
    until then the card asks for the missing ones (nothing is added on a guess)."""
    _ = turn.t
    quantity = _quantity(parse)
    product: ProductDetail | None = None
    chosen: dict[str, str] = {}
    if parse.first("product"):
        query = await search.query_from(turn, parse)
        page = await turn.services.views.search(query) if query is not None else None
        if page is None or page.total != 1:
            return await search.search_intent(turn, parse)
        product = await turn.services.views.product(product_id=page.items[0].id, locale=turn.locale)
    elif turn.state.memory.get("product_id"):
        product = await turn.services.views.product(product_id=int(turn.state.memory["product_id"]), locale=turn.locale)
        chosen = product_flow.chosen_for(turn, product) if product is not None else {}
    if product is None or not product.active:
        return [
            Text(_("Which product would you like? Tell me its name, or search first.")),
            *await search.search_intent(turn, parse),
        ]
    found, missing = product_flow.typed_options(product, parse)
    chosen.update(found)
    variant = selected_variant(product, chosen)
    if variant is not None and not missing and variant.available > 0:
        return await add_variant(turn, product, variant, quantity)
    note = _('Which one? Choose the options, then press "Add to cart".') if variant is None else ""
    return await product_flow.show_product(turn, product, chosen, note)


async def show_cart(turn: Turn) -> list[Reply]:
    cart = await turn.services.views.cart(turn.customer_id, turn.locale)
    return [cart_summary(turn, cart)]


async def view_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    return await show_cart(turn)


async def view_button(turn: Turn, payload: Payload) -> list[Reply]:
    return await show_cart(turn)


async def quantity_button(turn: Turn, payload: Payload) -> list[Reply]:
    variant_id, quantity = payload.int_arg(0), min(payload.int_arg(1), MAX_QUANTITY)
    cart = await turn.services.views.cart(turn.customer_id, turn.locale)
    line = next((line for line in cart.lines if line.variant_id == variant_id), None)
    if line is None:
        raise BadPayload("stale")
    await turn.services.bus.handle(c.SetCartQuantity(turn.customer_id, line.sku, quantity, actor=turn.actor))
    return await show_cart(turn)


def _lines_named(lines: tuple[CartLineView, ...], stem: str, color: str) -> list[CartLineView]:
    return [
        line
        for line in lines
        if (stem and stem in line.name.lower()) or (color and color in (v.lower() for v in line.options.values()))
    ]


async def remove_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    cart = await turn.services.views.cart(turn.customer_id, turn.locale)
    # "remove the shoes": a category word names the line as well as a product name does (singular or plural).
    name = (parse.first("product") or parse.first("category") or "").lower()
    stem = name[:-1] if name.endswith("s") and len(name) > 3 else name
    color = (parse.first("color") or "").lower()
    matches = _lines_named(cart.lines, stem, color)
    if not matches and stem and catalog_locale(turn.locale):
        # The shopper reads translated names but the NLU may give the shop's word ("running shoes" for 跑鞋).
        named = {
            line.variant_id
            for line in _lines_named((await turn.services.views.cart(turn.customer_id)).lines, stem, color)
        }
        matches = [line for line in cart.lines if line.variant_id in named]
    if len(matches) == 1 or (len(cart.lines) == 1 and not (name or color)):
        line = (matches or list(cart.lines))[0]
        await turn.services.bus.handle(c.SetCartQuantity(turn.customer_id, line.sku, 0, actor=turn.actor))
        cart = await turn.services.views.cart(turn.customer_id, turn.locale)
        return [Text(_("Removed {name}.", name=line.name)), cart_summary(turn, cart)]
    return [Text(_('Which item? Press "Remove" next to it.')), cart_summary(turn, cart)]


def register(router: Router) -> None:
    router.intents.update(add_to_cart=add_intent, view_cart=view_intent, remove_from_cart=remove_intent)
    router.actions.update({"add": add_button, "cart": view_button, "cq": quantity_button})
    router.labels.update({"View cart": "cart", "Keep shopping": "cats"})
