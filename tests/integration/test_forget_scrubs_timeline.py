"""Forgetting a customer takes them out of their orders' timelines too: the payloads kept for each event are
scrubbed of their name, e-mail, phone and address wherever they appear; other customers' rows are untouched."""

from __future__ import annotations

import json

from sqlalchemy import select

from domain import commands as c
from domain.adapters.orm_console_more import order_events
from domain.model.customers import Channel, scrub_payload
from domain.model.staff import Actor, Role
from tests.support.shopdata import SmallShop

STAFF = Actor.staff("otto", Role.ADMIN)


async def payloads(small: SmallShop, order_id: int) -> list[dict[str, object]]:
    E = order_events.c
    async with small.shop.sessions() as session:
        rows = await session.execute(select(E.payload).where(E.order_id == order_id).order_by(E.id))
        return [dict(r[0]) for r in rows.all()]


async def test_forgetting_a_customer_scrubs_their_name_and_address_from_their_orders_timeline_payloads(
    small: SmallShop,
) -> None:
    bus = small.shop.bus
    ann = int(await bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "web-ann", "Ann Lee")))
    bob = int(await bus.handle(c.IdentifyCustomer(Channel.WEBCHAT, "web-bob", "Bob Stone")))
    order = await small.checkout(ann)
    other = await small.checkout(bob, "MUG-WHT")
    reason = "Ann Lee called: wrong door at 1 Main Street, Springfield — ANN SHOPPER moves"
    await bus.handle(c.CancelOrder(order, reason, actor=STAFF))
    await bus.handle(c.CancelOrder(other, "Bob Stone changed his mind; Ann Lee is his neighbour", actor=STAFF))
    before = await payloads(small, order)
    assert any("Ann Lee" in json.dumps(p) for p in before)
    bob_before = await payloads(small, other)

    await bus.handle(c.AnonymiseCustomer(ann, actor=STAFF))

    after = await payloads(small, order)
    assert len(after) == len(before)  # the timeline keeps every step, without the person
    text = json.dumps(after)
    for personal in ("Ann Lee", "1 Main Street", "Springfield", "Ann Shopper", "ANN SHOPPER"):
        assert personal not in text, personal
    cancelled = next(p for p in after if "reason" in p)
    assert cancelled["reason"] == "(deleted) called: wrong door at (deleted), (deleted) — (deleted) moves"
    assert cancelled["order_id"] == order and cancelled["customer_id"] == ann  # the books' facts stay
    assert await payloads(small, other) == bob_before  # another customer's timeline is theirs


def test_scrubbing_a_payload_blanks_personal_keys_keeps_the_country_and_erases_known_values_in_text() -> None:
    payload = {
        "order_id": 7,
        "shipping_address": {"name": "Ann Lee", "line1": "1 Main St", "country": "US"},
        "customer_email": "ann@example.com",
        "phone": "",
        "lines": [{"sku": "MUG-WHT", "note": "gift for ann lee"}],
        "total": 1200,
    }
    assert scrub_payload(payload, frozenset({"Ann Lee", "NY"})) == {
        "order_id": 7,
        "shipping_address": {"country": "US"},
        "customer_email": "(deleted)",
        "phone": "",
        "lines": [{"sku": "MUG-WHT", "note": "gift for (deleted)"}],
        "total": 1200,
    }
