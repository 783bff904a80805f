"""Finding one's way in the catalog: the category an NLU value names, and the top-level categories as
buttons. Browse and search both use it (and it uses neither), so neither imports the other."""

from __future__ import annotations

from bots.conversation.messages import QuickReplies, Reply
from bots.conversation.turn import Turn
from bots.shopper.render import main_menu
from domain.views.models import CategoryNode

MAX_CATEGORY_BUTTONS = 12


async def match_category(turn: Turn, value: str) -> CategoryNode | None:
    """The category an NLU value ("shoes", "mugs", 卫衣) names, by slug or name in the shop's language or
    the shopper's, singular or plural; named in the shopper's language."""
    wanted = value.strip().lower()
    candidates = {wanted, wanted.rstrip("s"), wanted + "s"}
    default_names = {node.id: node.name for node in await turn.services.views.categories(turn.locale)}
    for node in await turn.services.views.categories(turn.locale):
        names = (node.slug, node.name, default_names.get(node.id, node.name))
        if any(name.lower() in candidates for name in names):
            return node
    return None


async def show_categories(turn: Turn) -> list[Reply]:
    _ = turn.t
    nodes = [n for n in await turn.services.views.categories(turn.locale) if n.product_count > 0]
    if not nodes:
        return [main_menu(turn, _("The shop has no products yet."))]
    top = [n for n in nodes if n.parent_id is None] or nodes
    buttons = tuple(turn.button(f"{n.name} ({n.product_count})", "cat", n.id) for n in top[:MAX_CATEGORY_BUTTONS])
    return [QuickReplies(_("Pick a category:"), buttons)]
