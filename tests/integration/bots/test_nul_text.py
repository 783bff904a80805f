"""Text with NUL characters (which PostgreSQL refuses in text columns) is answered or handed on, never a crash."""

from __future__ import annotations

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import Inbound
from tests.support.shopdata import SmallShop


def said(text: str) -> Inbound:
    return Inbound("webchat", "nul-chat", "nul-user", "A\x00nn", text=text, locale="en")


async def test_a_shopper_message_with_nul_characters_is_answered_on_every_database(
    small: SmallShop, engine: ConversationEngine
) -> None:
    for text in ["red\x00 shoes", "\x00", "hello\x00", "add\x00 to cart"]:
        replies = await engine.handle(said(text))
        assert replies and all(r.as_text().strip() for r in replies)


async def test_a_handed_off_shopper_can_send_nul_characters_to_staff(
    small: SmallShop, engine: ConversationEngine
) -> None:
    assert await engine.handle(said("talk to a human\x00"))
    await engine.handle(said("my door code is 12\x0034"))  # goes to the ticket: stored, not raised
    state = await engine.store.load("webchat:nul-chat")
    assert state.handoff_ticket is not None
