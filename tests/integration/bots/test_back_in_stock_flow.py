"""A shopper asks to hear when a sold-out product is back, through the real engine, NLU and database;
the restock then reaches them through the back-in-stock campaign."""

from __future__ import annotations

from sqlalchemy import select

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import ProductCard
from chatshop.cli_campaign import subscribe_back_in_stock
from domain import commands as c
from domain.adapters import orm
from domain.adapters.campaigns_repository import SqlCampaignRepository
from tests.integration.bots.conftest import Chat
from tests.integration.campaigns.helpers import approved, campaign
from tests.support.shopdata import SmallShop


async def sell_out_mugs(small: SmallShop) -> None:
    await small.shop.bus.handle(c.AdjustStock("MUG-WHT", "EAST", -50, "stock count", actor=c.SYSTEM))


async def test_notify_me_on_a_sold_out_product_records_a_subscription_and_asks_for_consent(
    small: SmallShop, engine: ConversationEngine
) -> None:
    shop = small.shop
    await sell_out_mugs(small)
    chat = Chat(engine)
    await chat.say("mug")
    card = chat.last[0]
    assert isinstance(card, ProductCard) and card.stock == "Out of stock"
    assert "Add to cart" not in [b.label for b in chat.buttons()]
    await chat.press("Notify me when it's back")
    assert "we'll message you once when Hearth Ceramic Mug (white) is back in stock" in chat.text
    assert "haven't allowed messages from us" in chat.text  # a new shopper has not opted in to marketing
    await chat.press("Allow messages from us")
    assert 'say "unsubscribe" at any time' in chat.text
    await chat.say("mug")
    await chat.press("Notify me when it's back")  # pressing twice is fine
    assert "You're on the list already" in chat.text and "haven't allowed" not in chat.text

    async with shop.sessions() as session:
        subs = await SqlCampaignRepository(session).stock_subscriptions()
        consents = (await session.execute(select(orm.consent_entries.c.granted, orm.consent_entries.c.source))).all()
    assert [(s.sku, s.channel, s.status.value) for s in subs] == [("MUG-WHT", "webchat", "pending")]
    assert [tuple(x) for x in consents] == [(True, "chat:webchat:back_in_stock")]

    # The restock: an approved back-in-stock campaign on the web chat queues one notice for this shopper.
    subscribe_back_in_stock(shop)
    restock = campaign("mugs-back", trigger="back_in_stock", channels=("webchat",))
    campaign_id = await approved(shop, restock)
    await shop.bus.handle(c.ReceiveStock("MUG-WHT", "EAST", 10, actor=c.SYSTEM))
    await shop.outbox.drain()
    d = orm.metadata.tables["campaign_deliveries"].c
    async with shop.sessions() as session:
        rows = (await session.execute(select(d.campaign_id, d.customer_id, d.channel, d.run))).all()
    assert [tuple(r) for r in rows] == [(campaign_id, subs[0].customer_id, "webchat", subs[0].id)]
    await chat.say("mug")
    assert "Add to cart" in [b.label for b in chat.buttons()]
    assert "Notify me when it's back" not in [b.label for b in chat.buttons()]


async def test_the_notify_button_speaks_chinese(small: SmallShop, engine: ConversationEngine) -> None:
    await sell_out_mugs(small)
    chat = Chat(engine, locale="zh-CN")
    await chat.say("杯子")
    await chat.press("到货通知我")
    assert "到货时我们会通知您一次" in chat.text and "允许我们给您发消息" in chat.text


async def test_notify_on_a_product_back_in_stock_meanwhile_shows_it_can_be_bought(
    small: SmallShop, engine: ConversationEngine
) -> None:
    await sell_out_mugs(small)
    chat = Chat(engine)
    await chat.say("mug")
    await small.shop.bus.handle(c.ReceiveStock("MUG-WHT", "EAST", 3, actor=c.SYSTEM))  # while the card was open
    await chat.press("Notify me when it's back")
    assert "Good news: it's in stock now." in chat.text
    assert "Add to cart" in [b.label for b in chat.buttons()]
