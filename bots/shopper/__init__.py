"""Shopper flows, one module per job; `shopper_router()` wires them into the engine."""

from __future__ import annotations

from bots.conversation.turn import Router


def shopper_router() -> Router:
    from bots.shopper import (
        browse,
        cart,
        checkout,
        clarify,
        coupon,
        handoff,
        info,
        menu,
        orders,
        preferences,
        product,
        search,
    )

    router = Router()
    from bots.campaigns import chat as campaign_chat

    modules = (menu, browse, search, product, cart, coupon, checkout, orders, info, handoff, preferences, clarify)
    for module in modules:
        module.register(router)
    campaign_chat.register(router)  # unsubscribe and product buttons in marketing messages
    return router
