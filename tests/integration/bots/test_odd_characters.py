"""Odd characters — NUL (which PostgreSQL refuses in text columns), digits that are not 0-9 — are answered or
handed on, never a failed turn."""

from __future__ import annotations

import logging

import pytest

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


async def test_superscript_and_other_non_ascii_digits_are_not_taken_for_an_order_number(
    small: SmallShop, engine: ConversationEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    for text in ["order #²", "where is order ١٢٣", "status of #３"]:
        replies = await engine.handle(said(text))
        assert replies and all(r.as_text().strip() for r in replies)
    assert not [r for r in caplog.records if "turn failed" in r.getMessage()]
