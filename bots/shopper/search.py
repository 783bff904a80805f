"""Free-text search: NLU entities become a SearchQuery; one hit opens its card, several ask "did you mean"."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any

from bots.conversation.messages import QuickReplies, Reply, Text
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.turn import Router, Turn
from bots.shopper import product as product_flow
from bots.shopper.navigation import match_category, show_categories
from bots.shopper.render import PAGE_SIZE, find_option_value, product_list
from domain.model.catalog import SearchQuery
from domain.model.money import Money
from domain.views.models import CatalogVocabulary
from nlu.interface import ParseResult


def _max_price(turn: Turn, value: str | None) -> int | None:
    if not value:
        return None
    try:
        amount = Money.parse(str(Decimal(value).quantize(Decimal("0.01"))), turn.services.currency).amount
    except (ValueError, InvalidOperation):
        return None
    return amount if amount > 0 else None


async def query_from(turn: Turn, parse: ParseResult) -> SearchQuery | None:
    """The filters the shopper gave; None when the message named nothing to search for."""
    text_terms: list[str] = []
    product = parse.first("product")
    if product:
        text_terms.append(product)
    category_slug = None
    category = parse.first("category")
    if category:
        node = await match_category(turn, category)
        if node is not None:
            category_slug = node.slug
        else:
            text_terms.append(category)
    attributes = tuple((key, value) for key in ("color", "size") if (value := parse.first(key)))
    brand = parse.first("brand")
    max_price = _max_price(turn, parse.first("max_price"))
    if not (text_terms or category_slug or attributes or brand or max_price):
        return None
    return SearchQuery(
        text=" ".join(text_terms),
        category_slug=category_slug,
        brand=brand,
        attributes=attributes,
        max_price=max_price,
        limit=PAGE_SIZE,
        locale=turn.locale,
    )


async def describe(turn: Turn, query: SearchQuery, parse: ParseResult | None = None) -> str:
    """The search in the shopper's words: the category by its name, never its slug. Entity values are
    normalised to English, so a shopper writing another language is quoted in the words they typed (蓝色卫衣,
    not "blue hoodies")."""
    if parse is not None and parse.entities and not turn.locale.startswith("en"):
        typed = [e.text.strip() for e in sorted(parse.entities, key=lambda e: e.start) if e.text.strip()]
        if typed:
            return ("" if turn.locale.startswith("zh") else " ").join(typed)
    parts = [value for _k, value in query.attributes]
    if query.brand:
        parts.append(query.brand)
    if query.text:
        parts.append(query.text)
    if query.category_slug:
        nodes = await turn.services.views.categories(turn.locale)
        name = next((n.name for n in nodes if n.slug == query.category_slug), None)
        if name is not None and name.casefold() not in query.text.casefold():
            parts.append(name.lower() if parts else name)
    if query.max_price is not None:
        _ = turn.t
        parts.append(_("under {amount}", amount=turn.money(query.max_price)))
    return " ".join(parts)


async def run_search(
    turn: Turn, query: SearchQuery, title: str, open_single: bool = True, parse: ParseResult | None = None
) -> list[Reply]:
    """The products of `query`; with the shopper's `parse`, a search that found nothing because it named a
    brand or product we don't carry says so (`not_carried_reply`)."""
    _ = turn.t
    page = await turn.services.views.search(query)
    turn.record(
        "searched",
        value=page.total,
        properties={
            "text": query.text,
            "category": query.category_slug,
            "brand": query.brand,
            "filters": len(query.attributes),
            "max_price": query.max_price,
        },
    )
    if page.total == 0 and parse is not None and (parse.first("brand") or parse.first("product")):
        not_carried = await not_carried_reply(turn, parse, query)
        if not_carried is not None:
            return not_carried
    if page.total == 0:
        said = await describe(turn, query, parse)
        text = _('I found nothing for "{query}". Try fewer words, or browse:', query=said)
        return [QuickReplies(text, (turn.button(_("Browse categories"), "cats"),))]
    turn.state.memory["search"] = {"query": dataclasses.asdict(query), "title": title}
    exact = [p for p in page.items if query.text and p.name.casefold() == query.text.casefold()]
    if open_single and (page.total == 1 or len(exact) == 1):  # an exact name is no question
        product = await product_flow.load_product(turn, (exact or list(page.items))[0].id)
        # The colour or size searched for is chosen on the card ("red shoes": red, the sizes of red).
        chosen = {
            option: value
            for key, typed in query.attributes
            for option in (("color", "colour") if key == "color" else (key,))
            if (value := find_option_value(product, option, typed)) is not None
        }
        return await product_flow.show_product(turn, product, chosen)
    return [product_list(turn, page, title)]


async def search_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    _ = turn.t
    chose = await product_flow.choose_typed(turn, parse)  # "size 42" to the card on show
    if chose is not None:
        return chose
    query = await query_from(turn, parse)
    if query is None:
        return [
            Text(_("What are you looking for? Tell me a product, a colour, a brand or a price limit.")),
            *await show_categories(turn),
        ]
    # Every listed product matched what was typed: a list of findings, not a guess ("Did you mean").
    title = _('Here is what I found for "{query}":', query=await describe(turn, query, parse))
    return await run_search(turn, query, title, parse=parse)


def _words(text: str) -> list[str]:
    return [w.rstrip("s") for w in text.casefold().split()]


def _carried_product(value: str, vocabulary: CatalogVocabulary) -> bool:
    """A product value names something we sell: a name of ours, or a type our names end with
    ("running shoes" -> Stride Running Shoes), singular or plural."""
    wanted = _words(value)
    names = (*vocabulary.products, *vocabulary.translated_products)
    return bool(wanted) and any(_words(name)[-len(wanted) :] == wanted for name in names)


def _said(parse: ParseResult, entity: str) -> str | None:
    """The shopper's own words for an entity ("sneakers", 跑鞋), to echo back in their language."""
    return next((e.text for e in parse.entities if e.entity == entity), None)


async def not_carried_reply(turn: Turn, parse: ParseResult, query: SearchQuery) -> list[Reply] | None:
    """A brand or product the catalog does not hold ("Nike sneakers", "a Logitech mouse", 小米的充电宝), once a
    search for it found nothing: say we don't carry it, with the products of ours closest to what was asked
    (the same search without the name we lack); None when every name is ours (a plain "found nothing")."""
    _ = turn.t
    vocabulary = await turn.services.views.vocabulary()  # only here: a search that found nothing
    brands = {b.casefold() for b in vocabulary.brands}
    brand, product = parse.first("brand"), parse.first("product")
    missing_brand = brand is not None and brand.casefold() not in brands
    missing_product = product is not None and not _carried_product(product, vocabulary)
    if not (missing_brand or missing_product):
        return None
    name = (_said(parse, "brand") if missing_brand else _said(parse, "product")) or brand or product or ""
    closest = dataclasses.replace(
        query,
        brand=None if missing_brand else query.brand,
        text="" if missing_product else query.text,
    )
    what = (_said(parse, "product") if product and not missing_product else None) or (
        _said(parse, "category") if closest.category_slug else None
    )
    # Which names shoppers ask for and we lack: a buyer's list, in the analytics.
    lacking = {"brand": brand if missing_brand else None, "product": product if missing_product else None}
    turn.record("not_carried", properties=lacking)
    if what and (await turn.services.views.search(closest)).total > 0:
        title = _("We don't carry {name} — here are our {what}:", name=name, what=what)
        return await run_search(turn, closest, title, open_single=False)
    return [Text(_("We don't carry {name}.", name=name)), *await show_categories(turn)]


async def page_button(turn: Turn, payload: Payload) -> list[Reply]:
    offset = payload.int_arg(0)
    remembered: dict[str, Any] | None = turn.state.memory.get("search")
    if not remembered:
        raise BadPayload("stale")
    fields = dict(remembered["query"])
    fields["attributes"] = tuple(tuple(pair) for pair in fields.get("attributes", ()))
    query = dataclasses.replace(SearchQuery(**fields), offset=offset, limit=PAGE_SIZE)
    page = await turn.services.views.search(query)
    if not page.items:
        raise BadPayload("stale")
    return [product_list(turn, page, str(remembered.get("title", "")))]


async def details_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    """Asking about a product: the card on show (with the options chosen on it), else a search for it."""
    chose = await product_flow.choose_typed(turn, parse)
    if chose is not None:
        return chose
    if parse.first("product") is None and turn.state.memory.get("product_id") and not parse.entities:
        product_id = int(turn.state.memory["product_id"])
        remembered = turn.state.memory.get("choice") or {}
        options = remembered.get("options") if remembered.get("product_id") == product_id else None
        return await product_flow.show_product(turn, product_id, options)
    return await search_intent(turn, parse)


def register(router: Router) -> None:
    router.intents["product_details"] = details_intent  # falls back to a search, so it lives here
    router.intents["search_product"] = search_intent
    router.actions["pg"] = page_button
