"""What shoppers typed (names, addresses, messages) reaches Slack inert: ``&``, ``<`` and ``>`` escaped for
mrkdwn, so nobody can @channel the ops team, plant a link or break the card from a chat."""

from __future__ import annotations

from domain import commands as c
from domain.model.staff import Actor
from tests.integration.slack.conftest import OPS, SUPPORT, SlackShop
from tests.integration.slack.test_approvals import _texts

NAME = "Ann <!channel> & <https://evil.example|co>"


async def test_a_shoppers_name_and_address_are_escaped_on_the_approval_card(slack: SlackShop) -> None:
    small = slack.small
    customer = await small.customer("web-x", NAME)
    await small.shop.bus.handle(c.AddToCart(customer, "SHOE-RED-42", 2, actor=Actor.shopper(customer)))
    address = {"name": "<@U0BOSS>", "line1": "1 <b>Main</b> St", "city": "Springfield", "postal_code": "12345",
               "country": "US"}  # fmt: skip
    order_id = int(
        await small.shop.bus.handle(
            c.PlaceOrder(customer, address, "standard", "webchat", actor=Actor.shopper(customer))
        )
    )
    link = await small.shop.bus.handle(c.StartPayment(order_id, actor=c.SYSTEM))
    session_id = link.url.rsplit("/", 1)[1]
    await small.shop.sandbox.settle(session_id, "paid")
    await small.shop.bus.handle(c.ConfirmPayment("sandbox", session_id, 16000, "USD"))
    await small.shop.outbox.drain()
    card = await slack.fake.wait_for("chat.postMessage", lambda a: a.get("channel") == OPS)
    text = _texts(card.args["blocks"])
    assert "Ann &lt;!channel&gt; &amp; &lt;https://evil.example|co&gt;" in text
    assert "&lt;@U0BOSS&gt;" in text and "1 &lt;b&gt;Main&lt;/b&gt; St" in text
    assert "<!channel>" not in text and "<@U0BOSS>" not in text


async def test_a_shoppers_message_in_a_support_thread_is_escaped(slack: SlackShop) -> None:
    customer = await slack.small.customer("web-y", NAME)
    transcript = (("shopper", "help <!here> & now"),)
    ticket_id = int(await slack.shop.bus.handle(c.OpenTicket(customer, "webchat", "chat-y", "Help", transcript)))
    await slack.shop.outbox.drain()
    parent = await slack.fake.wait_for("chat.postMessage", lambda a: a["channel"] == SUPPORT)
    text = _texts(parent.args["blocks"])
    assert "Ann &lt;!channel&gt; &amp;" in text and "help &lt;!here&gt; &amp; now" in text
    assert "<!" not in text + parent.args["text"]
    await slack.shop.bus.handle(c.PostTicketMessage(ticket_id, "<!channel> <b>hi</b>", actor=Actor.shopper(customer)))
    await slack.shop.outbox.drain()
    mirrored = await slack.fake.wait_for("chat.postMessage", lambda a: bool(a.get("thread_ts")))
    assert mirrored.args["text"] == "*Shopper:* &lt;!channel&gt; &lt;b&gt;hi&lt;/b&gt;"
