"""The buttons a campaign message carries, pressed in the conversation engine: Unsubscribe opts out (with
the campaign id recorded), a product button records the click attribution reads and opens the product."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bots.campaigns.chat import marketing_replies, register
from bots.campaigns.transport import Message
from bots.conversation.engine import ConversationEngine
from bots.conversation.factory import build_conversation_engine
from bots.conversation.messages import FormPrompt, Inbound
from bots.conversation.payloads import PayloadCodec
from bots.conversation.turn import Turn
from bots.i18n import Translator
from channels.telegram.campaign_transport import TelegramCampaignTransport
from chatshop.bootstrap import Shop
from domain import commands as c
from domain import events as ev
from domain.adapters import orm
from domain.model.customers import Channel
from domain.model.staff import Actor
from nlu.interface import ParseResult
from tests.integration.campaigns.helpers import Person, add_people
from tests.support.clock import FakeClock
from tests.support.fake_telegram import TOKEN
from tests.support.shopdata import SmallShop

pytestmark = pytest.mark.timeout(60)
SECRET = "dev-only-change-me"


class NoNlu:
    async def parse(self, text: str, locale: str | None = None) -> ParseResult:
        raise AssertionError("buttons never need language understanding")


def chat_engine(shop: Shop) -> ConversationEngine:
    """The shop's conversation engine with the campaign buttons registered (no language understanding)."""
    engine = build_conversation_engine(
        bus=shop.bus,
        views=shop.views,
        clock=shop.clock,
        nlu=NoNlu(),
        secret_key=SECRET,  # type: ignore[arg-type]
    )
    register(engine.router)
    return engine


async def test_campaign_buttons_unsubscribe_and_record_clicks_with_the_campaign_id(
    small: SmallShop, clock: FakeClock
) -> None:
    shop = small.shop
    (ann,) = await add_people(shop, [Person(telegram=42)], clock.now())
    engine = chat_engine(shop)
    transport = TelegramCampaignTransport("http://127.0.0.1:9", TOKEN, PayloadCodec(SECRET))
    message = Message(7, 1, ann, "telegram", "42", "en", "New shoes", skus=("SHOE-RED-42",))
    keyboard = transport.markup(message)["inline_keyboard"]
    view, unsubscribe = keyboard[0][0], keyboard[1][0]
    assert (view["text"], unsubscribe["text"]) == ("View SHOE-RED-42", "Unsubscribe")

    opened = await engine.handle(Inbound("telegram", "42", "42", "Ann", payload=view["callback_data"]))
    assert opened[0].kind == "product_card"
    done = await engine.handle(Inbound("telegram", "42", "42", "Ann", payload=unsubscribe["callback_data"]))
    assert "won't get offers" in done[0].as_text()
    # The same payload from another chat is refused: it is signed for this chat only.
    forged = await engine.handle(Inbound("telegram", "43", "43", "Bob", payload=unsubscribe["callback_data"]))
    assert "can't use that button" in forged[0].as_text()

    await shop.analytics.flush()  # the turns' analytics rows are buffered (domain/adapters/analytics_buffer.py)
    async with shop.sessions() as session:
        opted_in = (
            await session.execute(select(orm.customers.c.marketing_opt_in).where(orm.customers.c.id == ann))
        ).scalar_one()
        rows = (await session.execute(select(orm.analytics_events.c.name, orm.analytics_events.c.properties))).all()
    assert opted_in is False
    assert ("campaign_click", {"campaign_id": 7, "sku": "SHOE-RED-42"}) in [(n, p) for n, p in rows]
    assert ("campaign_optout", {"campaign_id": 7}) in [(n, p) for n, p in rows]


async def test_a_web_chat_shows_a_marketing_message_with_its_code_products_and_an_unsubscribe_button(
    small: SmallShop,
) -> None:
    engine = chat_engine(small.shop)
    from bots.conversation.state import ConversationState

    turn = Turn(engine.services, Inbound("webchat", "wabc", ""), ConversationState(), Translator("en"))
    event = ev.MarketingMessage(7, 1, 5, "wabc", "en", "Mugs!", None, ("MUG-WHT", "GONE-1"), "WELCOME10")
    (reply,) = await marketing_replies(turn, event)
    assert "Your code: WELCOME10" in reply.as_text() and "- Hearth Ceramic Mug - 12.00 USD" in reply.as_text()
    # A SKU the catalog no longer has still gets its button, by its code.
    assert [b.label for b in reply.all_buttons()] == ["Hearth Ceramic Mug", "GONE-1", "Unsubscribe"]
    payload = reply.all_buttons()[-1].payload
    assert engine.services.codec.decode("webchat:wabc", payload).action == "mu"


async def test_a_cart_reminders_check_out_button_counts_a_click_and_starts_checkout(small: SmallShop) -> None:
    shop = small.shop
    engine = chat_engine(shop)
    profile_id = int(await shop.bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "wann", "Ann")))
    await shop.bus.handle(c.AddToCart(profile_id, "MUG-WHT", 1, actor=Actor.shopper(profile_id)))
    from bots.conversation.state import ConversationState

    turn = Turn(engine.services, Inbound("webchat", "wann", ""), ConversationState(), Translator("en"))
    event = ev.MarketingMessage(9, 1, profile_id, "wann", "en", "Still thinking?", None, ("MUG-WHT",), None, True)
    (reply,) = await marketing_replies(turn, event)
    labels = [b.label for b in reply.all_buttons()]
    assert labels == ["Hearth Ceramic Mug", "Check out", "Unsubscribe"]
    pressed = await engine.handle(Inbound("webchat", "wann", "wann", "Ann", payload=reply.all_buttons()[1].payload))
    assert isinstance(pressed[-1], FormPrompt) and pressed[-1].form == "checkout"  # the address, step one
    await shop.analytics.flush()
    async with shop.sessions() as session:
        rows = (await session.execute(select(orm.analytics_events.c.name, orm.analytics_events.c.properties))).all()
    assert ("campaign_click", {"campaign_id": 9, "checkout": True}) in [(n, p) for n, p in rows]
