"""Support hand-off: a thread per ticket with the shopper's context; staff reply in it, close it, send coupons."""

from __future__ import annotations

from domain import commands as c
from domain.model.staff import Actor
from tests.integration.slack.conftest import APPROVER, OPERATOR, STRANGER, SUPPORT, VIEWER, SlackShop, paid_order
from tests.integration.slack.test_approvals import _buttons, _texts


async def _open_ticket(slack: SlackShop) -> tuple[int, int, str]:
    customer = await slack.small.customer("web-7", "Bea")
    await slack.shop.bus.handle(c.AddToCart(customer, "MUG-WHT", 2, actor=Actor.shopper(customer)))
    transcript = (("shopper", "my shoes never came"), ("bot", "Let me get a person."))
    ticket_id = int(await slack.shop.bus.handle(c.OpenTicket(customer, "webchat", "chat-7", "Late parcel", transcript)))
    await slack.shop.outbox.drain()
    await slack.fake.wait_for("chat.postMessage", lambda a: a["channel"] == SUPPORT)
    return customer, ticket_id, slack.fake.history[SUPPORT][-1]["ts"]


def _reply(thread_ts: str, user: str, text: str, ts: str) -> dict[str, str]:
    return {"type": "message", "channel": SUPPORT, "user": user, "text": text, "ts": ts, "thread_ts": thread_ts}


async def test_a_whole_handoff_thread_reply_and_close(slack: SlackShop) -> None:
    await paid_order(slack.small, quantity=1, external_id="web-7")
    customer, ticket_id, thread_ts = await _open_ticket(slack)
    parent = slack.fake.message(SUPPORT, thread_ts)
    text = _texts(parent["blocks"])
    assert f"Ticket #{ticket_id}: Late parcel" in text
    assert "Ann (customer #1) via webchat" in text
    assert "2 × Hearth Ceramic Mug (MUG-WHT) 24.00 USD" in text
    assert "Total: 2 items, 24.00 USD before shipping" in text
    assert "*Last order*\n#1 paid, 85.00 USD, 2026-11-02" in text
    assert "*The shopper said*\n> my shoes never came" in text
    assert "Let me get a person." not in text  # the bot's side is not the shopper's story
    ticket = await slack.shop.views.ticket(ticket_id)
    assert ticket is not None and ticket["external_thread"] == f"{SUPPORT}:{thread_ts}"

    # The shopper writes again: it lands in the thread.
    await slack.shop.bus.handle(c.PostTicketMessage(ticket_id, "any news?", actor=Actor.shopper(customer)))
    await slack.shop.outbox.drain()
    mirrored = await slack.fake.wait_for("chat.postMessage", lambda a: a.get("thread_ts") == thread_ts)
    assert mirrored.args == {"channel": SUPPORT, "thread_ts": thread_ts, "text": "*Shopper:* any news?"}

    # Staff answer in the thread: the domain records it as the agent's message (the chat delivers it).
    await slack.send.event(_reply(thread_ts, OPERATOR, "It left the warehouse today.", "1780000900.000100"))

    async def answered() -> bool:
        found = await slack.shop.views.ticket(ticket_id)
        return found is not None and any(m["author_kind"] == "agent" for m in found["messages"])

    await slack.eventually(answered)
    ticket = await slack.shop.views.ticket(ticket_id)
    assert ticket is not None
    assert [(m["author_kind"], m["author"], m["text"]) for m in ticket["messages"]] == [
        ("shopper", f"customer:{customer}", "any news?"),
        ("agent", "olga", "It left the warehouse today."),
    ]
    await slack.shop.outbox.drain()  # the agent's own message is not echoed back into the thread
    assert len([c for c in slack.fake.called("chat.postMessage") if c.args.get("thread_ts") == thread_ts]) == 1

    # Close: the ticket is closed and the parent message says by whom.
    await slack.send.click("close_ticket", str(ticket_id), OPERATOR, SUPPORT, thread_ts)

    async def closed() -> bool:
        found = await slack.shop.views.ticket(ticket_id)
        return found is not None and found["status"] == "closed"

    await slack.eventually(closed)
    await slack.shop.outbox.drain()
    update = await slack.fake.wait_for("chat.update", lambda a: a["ts"] == thread_ts)
    assert "Closed by olga." in _texts(update.args["blocks"])
    assert _buttons(update.args["blocks"]) == []


async def test_a_reply_in_a_thread_is_matched_to_its_ticket_after_a_restart(slack: SlackShop) -> None:
    from channels.slack.registry import MessageRegistry

    _, ticket_id, thread_ts = await _open_ticket(slack)
    slack.ops.registry = MessageRegistry(slack.ops.client)
    await slack.send.event(_reply(thread_ts, APPROVER, "On it.", "1780000900.000200"))

    async def answered() -> bool:
        found = await slack.shop.views.ticket(ticket_id)
        return found is not None and [m["text"] for m in found["messages"]] == ["On it."]

    await slack.eventually(answered)


async def test_a_stranger_replying_in_the_thread_is_refused_and_nothing_reaches_the_shopper(slack: SlackShop) -> None:
    _, ticket_id, thread_ts = await _open_ticket(slack)
    await slack.send.event(_reply(thread_ts, STRANGER, "hi from nowhere", "1780000900.000300"))
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == STRANGER)
    assert "not set up as shop staff" in refusal.args["text"]
    ticket = await slack.shop.views.ticket(ticket_id)
    assert ticket is not None and ticket["messages"] == []


async def test_send_coupon_creates_a_single_use_code_and_tells_the_shopper(slack: SlackShop) -> None:
    customer, ticket_id, thread_ts = await _open_ticket(slack)
    await slack.send.click("send_coupon", str(ticket_id), OPERATOR, SUPPORT, thread_ts)
    note = await slack.fake.wait_for("chat.postMessage", lambda a: "single-use coupon" in a["text"])
    code = note.args["text"].split("`")[1]
    assert code.startswith("SORRY-") and note.args["thread_ts"] == thread_ts
    ticket = await slack.shop.views.ticket(ticket_id)
    assert ticket is not None
    assert [m["text"] for m in ticket["messages"]] == [
        f"Sorry for the trouble. Here is 10% off your next order, once: use code {code} at checkout."
    ]
    await slack.shop.bus.handle(c.ApplyCoupon(customer, code, actor=Actor.shopper(customer)))
    cart = await slack.shop.views.cart(customer)
    assert cart.coupon_code == code and cart.discount == 240  # 10% of 24.00


async def test_a_viewer_may_not_create_a_coupon(slack: SlackShop) -> None:
    _, ticket_id, thread_ts = await _open_ticket(slack)
    await slack.send.click("send_coupon", str(ticket_id), VIEWER, SUPPORT, thread_ts)
    refusal = await slack.fake.wait_for("chat.postEphemeral", lambda a: a["user"] == VIEWER)
    assert refusal.args["text"] == "A viewer may not manage coupons; it takes an operator."
    ticket = await slack.shop.views.ticket(ticket_id)
    assert ticket is not None and ticket["messages"] == []


async def test_the_handoff_digest_shows_what_the_shopper_typed_not_button_codes_or_bot_cards(slack: SlackShop) -> None:
    customer = await slack.small.customer("web-8", "Cy")
    transcript = (
        ("shopper", "do you have running shoes"),
        ("bot", "Stride Running Shoes\n" + "\n".join(f"[{n}] size {n}" for n in range(36, 52))),
        ("shopper", "[pv]"),
        ("shopper", "[add]"),
        ("shopper", "the size 42 won't go in the cart"),
        ("bot", "Let me get a person."),
        ("shopper", "hello??"),
        ("shopper", "<!channel> are you there"),
        ("shopper", "please"),
    )
    ticket_id = int(await slack.shop.bus.handle(c.OpenTicket(customer, "webchat", "chat-8", "Cart", transcript)))
    await slack.shop.outbox.drain()
    parent = await slack.fake.wait_for("chat.postMessage", lambda a: a["channel"] == SUPPORT)
    text = _texts(parent.args["blocks"])
    said = text[text.index("*The shopper said*") :].splitlines()[1:5]
    assert said == [
        "> the size 42 won't go in the cart",
        "> hello??",
        "> &lt;!channel&gt; are you there",
        "> please",
    ]
    assert "[pv]" not in text and "[add]" not in text and "size 36" not in text
    assert "*Cart*\n_empty_" in text and "*Last order*\n_none yet_" in text
    assert f"Ticket #{ticket_id}: Cart" in text
