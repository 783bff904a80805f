"""An automation rule's message reaches the shopper on the order's chat, in their language, once."""

from __future__ import annotations

from typing import Any

import pytest

from chatshop.bootstrap import Shop
from domain import commands as c
from domain.commands_automation import PutAutomationRule
from domain.errors import ValidationFailed
from tests.integration.automation.test_rules import paid_order
from tests.integration.bots.conftest import Chat, make_engine, nlu_engine  # noqa: F401 - the NLU fixture
from tests.support.shopdata import SmallShop

RULE = {
    "name": "thank-first-orders",
    "when": "OrderPaid",
    "if": [{"first_order": True}],
    "then": [{"message_shopper": {"en": "Thanks for order {order_id}!", "zh": "感谢您的订单 {order_id}！"}}],
}


async def told(shop: Shop, chat: Chat) -> list[str]:
    texts: list[str] = []

    async def tell(event_id: str, event: Any) -> None:
        texts.extend(r.as_text() for r in await chat.engine.outgoing(event, "webchat", chat.chat_id))

    shop.outbox.subscribe("test-chat", tell, events={"AutomationMessage"})
    await shop.outbox.drain()
    return texts


async def test_a_rule_thanks_a_chinese_shopper_in_chinese_once(small: SmallShop, nlu_engine: Any) -> None:  # noqa: F811
    from chatshop.webhooks import subscribe_automations

    shop = small.shop
    subscribe_automations(shop)
    await shop.bus.handle(PutAutomationRule(RULE, "(test)", actor=c.SYSTEM))
    chat = Chat(make_engine(shop, nlu_engine), user_id="web-1", locale="zh")
    await chat.say("你好")
    order_id = await paid_order(small, await small.customer("web-1"))
    texts = await told(shop, chat)
    assert len(texts) == 1 and texts[0].startswith(f"感谢您的订单 {order_id}！")


async def test_message_shopper_needs_an_english_text_and_known_fields(shop: Shop) -> None:
    for then, message in [
        ({"message_shopper": {"zh": "只有中文"}}, "with en"),
        ({"message_shopper": {"en": "hi", "fr": "salut"}}, "with en"),
        ({"message_shopper": "Your {password}"}, "not a field"),
    ]:
        with pytest.raises(ValidationFailed, match=message):
            await shop.bus.handle(PutAutomationRule({**RULE, "then": [then]}, "(test)", actor=c.SYSTEM))
