"""The one shopper conversation engine a process builds, shared by every chat channel and the CLI."""

from __future__ import annotations

from bots.conversation.engine import ConversationEngine
from bots.conversation.factory import build_conversation_engine
from chatshop.bootstrap import Shop
from nlu.factory import build_engine as build_nlu


def build_shopper_engine(shop: Shop) -> ConversationEngine:
    """NLU (Rasa when CHATSHOP_RASA_URL is set, with the embedded engine as fallback) plus the flows."""
    settings = shop.settings
    nlu = build_nlu(settings.rasa_url, settings.nlu_cache)
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
