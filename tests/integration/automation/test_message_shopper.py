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


async def test_a_rule_issues_a_personal_coupon_and_tells_the_shopper_its_code(
    small: SmallShop,
    nlu_engine: Any,  # noqa: F811
) -> None:
    from sqlalchemy import select

    from chatshop.webhooks import subscribe_automations
    from domain.adapters import orm
    from tests.integration.automation.test_rules import runs

    shop = small.shop
    subscribe_automations(shop)
    rule = {
        **RULE,
        "then": [
            {"issue_coupon": "welcome10"},
            {"issue_coupon": "NOSUCH"},
            {"message_shopper": {"en": "Use {coupon} next time", "zh": "下次使用 {coupon}"}},
        ],
    }
    await shop.bus.handle(PutAutomationRule(rule, "(test)", actor=c.SYSTEM))
    chat = Chat(make_engine(shop, nlu_engine), user_id="web-1", locale="zh")
    await chat.say("你好")
    customer = await small.customer("web-1")
    await paid_order(small, customer)
    texts = await told(shop, chat)
    async with shop.sessions() as session:
        codes = list(
            (await session.execute(select(orm.coupons.c.code).where(orm.coupons.c.customer_id == customer))).scalars()
        )
    assert len(codes) == 1 and codes[0].startswith("WELCOME10-")
    assert len(texts) == 1 and texts[0].startswith(f"下次使用 {codes[0]}")
    (run,) = await runs(shop)
    assert run.actions[:2] == [
        f"issued coupon {codes[0]} to customer {customer}",
        "not issued: there is no coupon NOSUCH",
    ]
