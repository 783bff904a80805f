"""Browse: the category tree as buttons, then a category's products page by page."""

from __future__ import annotations

from bots.conversation.messages import QuickReplies, Reply, Text
from bots.conversation.payloads import BadPayload, Payload
from bots.conversation.turn import Router, Turn
from bots.shopper import search
from bots.shopper.navigation import MAX_CATEGORY_BUTTONS, match_category, show_categories
from bots.shopper.render import PAGE_SIZE
from domain.model.catalog import SearchQuery
from domain.views.models import CategoryNode
from nlu.interface import ParseResult


async def show_category(turn: Turn, node: CategoryNode) -> list[Reply]:
    _ = turn.t
    nodes = await turn.services.views.categories(turn.locale)
    children = [n for n in nodes if n.parent_id == node.id and n.product_count > 0]
    replies: list[Reply] = []
    if children:
        buttons = tuple(turn.button(f"{n.name} ({n.product_count})", "cat", n.id) for n in children)
        replies.append(QuickReplies(_("{name} has these sections:", name=node.name), buttons[:MAX_CATEGORY_BUTTONS]))
    query = SearchQuery(category_slug=node.slug, limit=PAGE_SIZE, locale=turn.locale)
    replies.extend(await search.run_search(turn, query, _("In {name}:", name=node.name), open_single=False))
    return replies


async def browse_intent(turn: Turn, parse: ParseResult) -> list[Reply]:
    category = parse.first("category")
    if category:
        node = await match_category(turn, category)
        if node is not None:
            return await show_category(turn, node)
        return await search.search_intent(turn, parse)
    if any(parse.first(k) for k in ("product", "brand", "color")):
        return await search.search_intent(turn, parse)
    return await show_categories(turn)


async def categories_button(turn: Turn, payload: Payload) -> list[Reply]:
    return await show_categories(turn)


async def category_button(turn: Turn, payload: Payload) -> list[Reply]:
    category_id = payload.int_arg(0)
    node = next((n for n in await turn.services.views.categories(turn.locale) if n.id == category_id), None)
    if node is None:
        raise BadPayload("stale")
    if node.product_count == 0:
        _ = turn.t
        return [Text(_("{name} is empty right now.", name=node.name)), *await show_categories(turn)]
    return await show_category(turn, node)


def register(router: Router) -> None:
    router.intents["browse_catalog"] = browse_intent
    router.actions["cats"] = categories_button
    router.actions["cat"] = category_button
