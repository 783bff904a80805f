"""Customers carry ``updated_at``, set by every change to them (tags, consent, identities, forgetting), and the
list pulls the customers changed since a time, oldest change first, with a cursor that resumes."""

from __future__ import annotations

from domain import commands as c
from domain.model.customers import Channel
from domain.model.staff import Actor
from tests.integration.api.conftest import ApiClient, MakeKey
from tests.support.clock import FakeClock
from tests.support.shopdata import SmallShop


def stamp(clock: FakeClock) -> str:
    return clock.now().isoformat().replace("+00:00", "Z")


async def test_every_kind_of_change_moves_a_customer_into_updated_since(
    api: ApiClient, make_key: MakeKey, small: SmallShop, clock: FakeClock
) -> None:
    key = await make_key("customers:read", "customers:write")
    ann, bob, cy = [await small.customer(f"web-{n}", n) for n in ("ann", "bob", "cy")]
    ids = lambda body: [x["id"] for x in body["items"]]  # noqa: E731

    clock.advance(hours=1)
    since = stamp(clock)
    assert ids((await api.call("GET", f"/customers?updated_since={since}", key))[1]) == []
    status, profile, _ = await api.call("GET", f"/customers/{ann}", key)
    assert status == 200 and profile["updated_at"] == profile["created_at"]

    clock.advance(minutes=1)
    await api.call("POST", f"/customers/{bob}/tags", key, {"add": ["vip"]})
    clock.advance(minutes=1)
    await api.call("POST", f"/customers/{ann}/consent", key, {"granted": True, "source": "pos"})
    assert ids((await api.call("GET", f"/customers?updated_since={since}", key))[1]) == [bob, ann]

    clock.advance(minutes=1)
    await small.shop.bus.handle(c.LinkIdentity(cy, Channel.TELEGRAM, "777", actor=Actor.shopper(cy)))
    clock.advance(minutes=1)
    await api.call("POST", f"/customers/{bob}/forget", key)
    first = (await api.call("GET", f"/customers?updated_since={since}&limit=2", key))[1]
    assert ids(first) == [ann, cy] and first["next_cursor"]
    rest = (await api.call("GET", f"/customers?updated_since={since}&cursor={first['next_cursor']}", key))[1]
    assert ids(rest) == [bob] and rest["next_cursor"] is None
    status, profile, _ = await api.call("GET", f"/customers/{bob}", key)
    assert profile["updated_at"].startswith(clock.now().isoformat()[:19])
    status, _, _ = await api.call("GET", f"/customers?cursor={first['next_cursor']}", key)
    assert status == 422  # a cursor of the changed-since order is not one of the plain list's
