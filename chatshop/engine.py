"""The one shopper conversation engine a process builds, shared by every chat channel and the CLI."""

from __future__ import annotations

from bots.conversation.engine import ConversationEngine
from bots.conversation.factory import build_conversation_engine
from chatshop.bootstrap import Shop
from nlu.catalog_terms import CatalogTerms
from nlu.factory import build_engine as build_nlu


def build_shopper_engine(shop: Shop) -> ConversationEngine:
    """NLU (Rasa when CHATSHOP_RASA_URL is set, with the embedded engine as fallback; the embedded one also
    knows the live catalog's names in every language) plus the flows."""
    settings = shop.settings
    nlu = CatalogTerms(build_nlu(settings.rasa_url, settings.nlu_cache), shop.views)
    return build_conversation_engine(
        bus=shop.bus,
        views=shop.views,
        clock=shop.clock,
        nlu=nlu,
        secret_key=settings.secret_key.get_secret_value(),
        currency=settings.currency,
        tax_rate_bp=settings.tax_rate_bp,
        redis_url=settings.redis_url,
        uow_factory=shop.bus.ctx.uow,
    )
