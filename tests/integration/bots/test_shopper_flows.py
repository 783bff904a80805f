"""Whole shopper conversations through the engine, the real embedded NLU and SQLite/PostgreSQL."""

from __future__ import annotations

from bots.conversation.engine import ConversationEngine
from bots.conversation.messages import PaymentLink, ProductCard, ProductList
from domain import commands as c
from domain.model.staff import Actor, Role
from tests.integration.bots.conftest import Chat
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop

OPERATOR = Actor.staff("olga", Role.OPERATOR)


async def available(small: SmallShop, sku: str) -> int:
    view = await small.shop.views.stock(sku)
    assert view is not None
    return view.available


async def fill_address(chat: Chat, *answers: str) -> None:
    for answer in answers:
        await chat.say(answer)


async def buy_red_shoes(chat: Chat) -> PaymentLink:
    await chat.say("show me red shoes")
    await chat.press("Add to cart")
    await chat.press("Check out")
    await fill_address(chat, "Ann Shopper", "1 Main Street", "Springfield", "US", "12345")
    await chat.press("Standard")
    await chat.press("Place order")
    link = chat.last[0]
    assert isinstance(link, PaymentLink)
    return link


async def pay(small: SmallShop, link: PaymentLink) -> None:
    session_id = link.url.rsplit("/", 1)[1]
    session = await small.shop.sandbox.settle(session_id, "paid")
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, session.amount, session.currency, session_id))


async def test_english_purchase_from_search_to_payment_link(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await chat.say("hello")
    assert "Browse categories" in chat.text
    await chat.say("show me red shoes")
    card = chat.last[0]
    assert isinstance(card, ProductCard) and card.name == "Stride Running Shoes"
    # "red" was asked for and 42 is the only size: the one variant that fits is chosen, nothing else.
    assert [(p.key, [v.label for v in p.values if v.selected]) for p in card.pickers] == [("color", ["red"])]
    assert "Your choice: red" in chat.text
    await chat.press("Add to cart")
    assert "Added 1 x Stride Running Shoes (red / 42)" in chat.text
    await chat.press("View cart")
    assert chat.kinds() == ["cart"] and "80.00 USD" in chat.text
    await chat.press("Check out")
    assert chat.kinds() == ["text", "form_step"]
    await fill_address(chat, "Ann Shopper", "1 Main Street", "Springfield", "US", "12345")
    assert "Standard - 5.00 USD" in chat.text
    await chat.press("Standard")
    assert "Total: 85.00 USD" in chat.text
    await chat.press("Place order")
    link = chat.last[0]
    assert isinstance(link, PaymentLink) and "/sandbox/pay/" in link.url and "15 minutes" in link.expires_text
    order = await small.shop.views.order(link.order_id)
    assert order is not None and (order.status, order.total, order.channel) == ("pending_payment", 8500, "webchat")
    await pay(small, link)
    await chat.say("where is my order?")
    await chat.press(f"#{link.order_id}")
    assert chat.kinds() == ["order_status"] and "paid" in chat.text


async def test_chinese_purchase_speaks_chinese_throughout(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine, locale="zh-CN")
    await chat.say("你好")
    assert "浏览分类" in chat.text
    await chat.say("我想买红色的鞋")
    assert isinstance(chat.last[0], ProductCard) and "库存" in chat.text
    await chat.press("加入购物车")
    assert "已将 1 件" in chat.text
    await chat.say("结账")
    await fill_address(chat, "张三", "人民路1号", "Springfield", "US", "12345")
    assert "选择配送方式" in chat.text
    await chat.press("标准配送")
    assert "合计" in chat.text
    await chat.press("下单并支付")
    link = chat.last[0]
    assert isinstance(link, PaymentLink) and "分钟后失效" in link.expires_text
    profile = await small.shop.views.customer(1)  # the only customer: the shopper of this chat
    assert profile is not None and profile.locale == "zh"


async def test_search_with_several_matches_lists_what_it_found(small: SmallShop, engine: ConversationEngine) -> None:
    await small.shop.bus.handle(c.UpsertProduct(
        "Stride Trail Shoes", (c.VariantSpec("TRAIL-RED-42", 9500, {"color": "red", "size": "42"}),), ("Shoes",),
        brand="Stride", actor=c.SYSTEM))  # fmt: skip
    await small.shop.bus.handle(c.ReceiveStock("TRAIL-RED-42", "EAST", 4, actor=c.SYSTEM))
    chat = Chat(engine)
    await chat.say("red shoes")
    listing = chat.last[0]
    assert isinstance(listing, ProductList) and listing.title == 'Here is what I found for "red shoes":'
    assert sorted(item.name for item in listing.items) == ["Stride Running Shoes", "Stride Trail Shoes"]
    await chat.press("Stride Trail Shoes")
    assert isinstance(chat.last[0], ProductCard) and chat.last[0].name == "Stride Trail Shoes"


async def test_coupon_rejected_shows_the_reason(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await chat.say("mug")
    await chat.press("Add to cart")
    await chat.say("apply coupon FIVEOFF")
    assert "Coupon FIVEOFF can't be used" in chat.text
    assert "30.00" in chat.text  # the minimum subtotal the domain names
    await chat.press("Try another code")
    await chat.say("welcome10")
    assert "Coupon WELCOME10 applied: you save 1.20 USD." in chat.text


async def test_checkout_with_an_invalid_address_is_corrected(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await chat.say("red shoes")
    await chat.press("Add to cart")
    await chat.press("Check out")
    await chat.say("A")
    assert "full name" in chat.text and chat.last[-1].error  # type: ignore[attr-defined]
    await fill_address(chat, "Ann Shopper", "1 Main Street", "Springfield", "Narnia")
    assert "not a country we know" in chat.text
    await chat.say("US")
    await chat.say("ABCDE")
    assert "not a valid postal code for United States" in chat.text
    await chat.say("12345")
    await chat.press("Express")
    assert "Ship to: Ann Shopper, 1 Main Street, 12345 Springfield, US" in chat.text
    assert "Total: 95.00 USD" in chat.text


async def test_checkout_releases_reservation_when_payment_link_expires(
    small: SmallShop, engine: ConversationEngine, clock: FakeClock
) -> None:
    chat = Chat(engine)
    before = await available(small, "SHOE-RED-42")
    link = await buy_red_shoes(chat)
    assert await available(small, "SHOE-RED-42") == before - 1
    clock.advance(minutes=16)
    assert await small.shop.bus.handle(c.ExpireReservations()) == 1
    assert await available(small, "SHOE-RED-42") == before
    messages = []

    async def collect(event_id: str, event: object) -> None:
        messages.extend(await engine.outgoing(event, "webchat", chat.chat_id))  # type: ignore[arg-type]

    small.shop.outbox.subscribe("test", collect, events={"ReservationExpired"})
    await small.shop.outbox.drain()
    assert any(f"order #{link.order_id} expired" in m.as_text() for m in messages)
    await chat.say("where is my order?")
    await chat.press(f"#{link.order_id}")
    assert "cancelled" in chat.text


async def test_shopper_cancels_a_paid_order_and_is_refunded(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    link = await buy_red_shoes(chat)
    await pay(small, link)
    await chat.say("cancel my order")
    await chat.press(f"#{link.order_id}")
    assert "full refund" in chat.text
    await chat.press("Yes, cancel it")
    assert f"Order #{link.order_id} is cancelled." in chat.text and "money is on its way back" in chat.text
    order = await small.shop.views.order(link.order_id)
    assert order is not None and order.status in ("cancelled", "refunded") and order.refunded == order.total


async def test_return_request_asks_for_a_reason(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    link = await buy_red_shoes(chat)
    await pay(small, link)
    await chat.say("I want to return my order")
    assert "None of your orders can do that" in chat.text  # not shipped yet
    await small.shop.bus.handle(c.AdvanceOrder(link.order_id, "picking", actor=OPERATOR))
    await small.shop.bus.handle(c.AdvanceOrder(link.order_id, "packed", actor=OPERATOR))
    await small.shop.bus.handle(c.ShipOrder(link.order_id, "ups", "1Z999", actor=OPERATOR))
    await chat.say("I want to return my order")
    await chat.press(f"#{link.order_id}")
    assert chat.kinds() == ["form_step"]
    await chat.say("wrong size")
    assert f"Request a return of order #{link.order_id} (“wrong size”)?" in chat.text
    await chat.press("Yes, return it")
    assert f"Return requested for order #{link.order_id}" in chat.text
    order = await small.shop.views.order(link.order_id)
    assert order is not None and (order.status, order.return_reason) == ("return_requested", "wrong size")


async def test_handoff_keeps_the_bot_silent_until_the_ticket_closes(
    small: SmallShop, engine: ConversationEngine
) -> None:
    chat = Chat(engine)
    await chat.say("red shoes")
    await chat.say("I need to talk to a human")
    assert chat.kinds() == ["handoff"]
    ticket_id = chat.last[0].ticket_id  # type: ignore[attr-defined]
    assert await chat.say("my parcel never arrived") == []
    await small.shop.bus.handle(c.PostTicketMessage(ticket_id, "Let me check that for you.", actor=OPERATOR))
    seen = []

    async def collect(event_id: str, event: object) -> None:
        seen.extend(await engine.outgoing(event, "webchat", chat.chat_id))  # type: ignore[arg-type]

    small.shop.outbox.subscribe("test", collect, events={"TicketMessagePosted", "TicketClosed"})
    await small.shop.outbox.drain()
    assert [r.as_text() for r in seen] == ["olga (support): Let me check that for you."]
    await small.shop.bus.handle(c.CloseTicket(ticket_id, actor=OPERATOR))
    await small.shop.outbox.drain()
    assert "back with the shop bot" in seen[-1].as_text()
    await chat.say("show my cart")
    assert chat.kinds() == ["cart"]


async def test_shopper_can_leave_the_handoff_and_the_ticket_carries_the_transcript(
    small: SmallShop, engine: ConversationEngine
) -> None:
    chat = Chat(engine)
    await chat.say("talk to a person")
    back = chat.button("Back to the bot").payload
    ticket_id = chat.last[0].ticket_id  # type: ignore[attr-defined]
    assert await chat.say("hello? anyone?") == []
    assert back is not None
    await chat.send_payload(back)
    assert "back with the shop bot" in chat.text
    await chat.say("hi")
    assert "Browse categories" in chat.text
    async with small.shop.bus.ctx.uow() as uow:
        assert await uow.support.open_ticket_for_chat("webchat", chat.chat_id) is None
        ticket = await uow.support.ticket(ticket_id)
        assert ticket is not None and ticket.context["transcript"][-1] == {"who": "shopper", "text": "talk to a person"}


async def test_unsubscribe_withdraws_marketing_consent(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await chat.say("unsubscribe")
    assert "Stop offers from us?" in chat.text
    await chat.press("Yes, stop offers")
    assert "won't get offers" in chat.text
    profile = await small.shop.views.customer(1)
    assert profile is not None and profile.marketing_opt_in is False


async def test_a_forged_button_gets_a_clear_message(small: SmallShop, engine: ConversationEngine) -> None:
    chat = Chat(engine)
    await chat.say("hi")
    payload = chat.button("My cart").payload
    assert payload is not None
    await chat.send_payload(payload[:-2] + ("AA" if not payload.endswith("AA") else "BB"))
    assert "can't use that button" in chat.text
    other = Chat(engine, chat_id="chat-2", user_id="user-2")
    await other.send_payload(payload)  # a real button, but from someone else's chat
    assert "can't use that button" in other.text
