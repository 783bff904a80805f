"""The console's support queue: open hand-off tickets with their conversation; an operator replies (the reply is
on its way to the shopper's chat through the outbox) and closes; a viewer only reads."""

from __future__ import annotations

from sqlalchemy import select

from domain import commands as c
from domain.adapters import orm
from domain.model.staff import Actor
from tests.integration.console.conftest import Console, StaffShop

HOSTILE = '<img src=x onerror="alert(1)"> & "Eve"'


async def ticket(staffed: StaffShop, name: str = "Ann", text: str = "my parcel is late") -> int:
    small = staffed.small
    cid = await small.customer("web-t1", name)
    transcript = (("shopper", "where is order 5?"), ("bot", "Let me find someone."))
    ticket_id = int(await small.shop.bus.handle(c.OpenTicket(cid, "webchat", "web-t1", "Late parcel", transcript)))
    await small.shop.bus.handle(c.PostTicketMessage(ticket_id, text, actor=Actor.shopper(cid)))
    return ticket_id


async def outbox_names(staffed: StaffShop) -> list[str]:
    async with staffed.small.shop.sessions() as session:
        return list((await session.execute(select(orm.outbox.c.name).order_by(orm.outbox.c.id))).scalars())


async def test_the_queue_lists_open_tickets_and_a_ticket_shows_its_conversation(
    console: Console, staffed: StaffShop
) -> None:
    ticket_id = await ticket(staffed)
    await console.sign_in("viv")
    _, html = await console.get("/support")
    assert f'href="/admin/support/{ticket_id}"' in html and "Late parcel" in html and "my parcel is late" in html
    _, html = await console.get(f"/support/{ticket_id}")
    assert "where is order 5?" in html and "Let me find someone." in html and "my parcel is late" in html
    assert f"/support/{ticket_id}/reply" not in html
    assert "You may read this conversation but not answer it." in html


async def test_an_operator_replies_and_closes_and_the_reply_goes_to_the_shoppers_chat(
    console: Console, staffed: StaffShop
) -> None:
    ticket_id = await ticket(staffed)
    await console.sign_in("otto")
    csrf = await console.csrf(f"/support/{ticket_id}")
    status, _, location = await console.post(f"/support/{ticket_id}/reply", {"csrf": csrf, "text": "On its way <3"})
    assert (status, location) == (303, f"/admin/support/{ticket_id}?done=sent")
    found = await staffed.small.shop.views.ticket(ticket_id)
    assert found is not None and found["messages"][-1]["text"] == "On its way <3"
    assert found["messages"][-1]["author"] == "otto"
    assert "TicketMessagePosted" in await outbox_names(staffed)
    _, html = await console.get(f"/support/{ticket_id}")
    assert "On its way &lt;3" in html
    assert (await console.post(f"/support/{ticket_id}/close", {"csrf": csrf}))[0] == 303
    found = await staffed.small.shop.views.ticket(ticket_id)
    assert found is not None and str(found["status"]) == "closed"
    _, html = await console.get("/support")
    assert f'href="/admin/support/{ticket_id}"' not in html
    _, html = await console.get("/support?status=closed")
    assert f'href="/admin/support/{ticket_id}"' in html
    status, _, _ = await console.post(f"/support/{ticket_id}/reply", {"csrf": csrf, "text": "one more thing"})
    assert status == 404  # closed: the domain refuses a reply


async def test_a_viewer_posting_a_reply_or_a_close_is_refused(console: Console, staffed: StaffShop) -> None:
    ticket_id = await ticket(staffed)
    await console.sign_in("viv")
    csrf = await console.csrf(f"/support/{ticket_id}")
    status, html, _ = await console.post(f"/support/{ticket_id}/reply", {"csrf": csrf, "text": "hi"})
    assert status == 403 and "A viewer may not" in html
    assert (await console.post(f"/support/{ticket_id}/close", {"csrf": csrf}))[0] == 403
    assert (await console.post(f"/support/{ticket_id}/close", {}))[0] == 403  # and no CSRF token
    found = await staffed.small.shop.views.ticket(ticket_id)
    assert found is not None and str(found["status"]) == "open" and len(found["messages"]) == 1


async def test_hostile_names_and_messages_are_escaped(console: Console, staffed: StaffShop) -> None:
    ticket_id = await ticket(staffed, name=HOSTILE, text="<script>alert(2)</script>")
    await console.sign_in("otto")
    for path in ("/support", f"/support/{ticket_id}"):
        _, html = await console.get(path)
        assert "<img src=x" not in html and "<script>alert(2)" not in html, path
    _, html = await console.get("/support")
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &#34;Eve&#34;" in html
